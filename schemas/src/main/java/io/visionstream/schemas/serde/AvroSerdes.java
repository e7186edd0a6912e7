package io.visionstream.schemas.serde;

import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import org.apache.avro.specific.SpecificRecord;

/** Serdes of visionstream's topics. */
public final class AvroSerdes {

  private AvroSerdes() {}

  /** Values of {@code image-events}. */
  public static AvroSerde<ImageEvent> imageEvent() {
    return of(ImageEvent.class);
  }

  /** Values of {@code predictions}. */
  public static AvroSerde<Prediction> prediction() {
    return of(Prediction.class);
  }

  /** Serde of any generated record class. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(AvroDeserializer.specific(type));
  }
}
