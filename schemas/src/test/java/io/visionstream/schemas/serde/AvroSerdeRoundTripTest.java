package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class AvroSerdeRoundTripTest {

  private final Random random = new Random(7);

  @Test
  void imageEventWithJpegRoundTripsToAnEqualRecord() {
    ImageEvent event = TestRecords.imageEvent(random, TestRecords.jpeg(random, 64, 48), ContentType.JPEG);
    assertThat(roundTrip(AvroSerdes.imageEvent(), event)).isEqualTo(event);
  }

  @Test
  void imageEventWithPngAndNoAttributesRoundTrips() {
    ImageEvent event = TestRecords.imageEvent(random, TestRecords.png(random, 32, 32), ContentType.PNG);
    event.setAttributes(Map.of());
    ImageEvent back = roundTrip(AvroSerdes.imageEvent(), event);
    assertThat(back).isEqualTo(event);
    assertThat(back.getAttributes()).isEmpty();
    assertThat(back.getContentType()).isEqualTo(ContentType.PNG);
  }

  @Test
  void classifiedPredictionRoundTripsWithItsTopK() {
    Prediction prediction = TestRecords.prediction(TestRecords.imageEvent(random, new byte[] {1, 2}, ContentType.JPEG));
    Prediction back = roundTrip(AvroSerdes.prediction(), prediction);
    assertThat(back).isEqualTo(prediction);
    assertThat(back.getTopK()).extracting(s -> s.getLabel()).containsExactly("tabby", "Egyptian cat");
  }

  @Test
  void skippedPredictionRoundTripsWithEmptyTopK() {
    Prediction skipped = TestRecords.prediction(TestRecords.imageEvent(random, new byte[] {1}, ContentType.JPEG));
    skipped.setStatus(PredictionStatus.SKIPPED_STALE);
    skipped.setTopK(List.of());
    skipped.setBatchSize(0);
    skipped.setInferenceMicros(0L);
    skipped.setModel(new ModelRef("resnet50", "seed-42", null));
    assertThat(roundTrip(AvroSerdes.prediction(), skipped)).isEqualTo(skipped);
  }

  @Test
  void payloadStartsWithMarkerAndLittleEndianFingerprintOfTheWriterSchema() {
    ImageEvent event = TestRecords.imageEvent(random, new byte[] {9}, ContentType.JPEG);
    byte[] bytes = new AvroSerializer<ImageEvent>().serialize("image-events", event);
    long fingerprint = SingleObjectEncoding.fingerprint(ImageEvent.getClassSchema());
    byte[] expectedHeader = new byte[10];
    expectedHeader[0] = (byte) 0xC3;
    expectedHeader[1] = 0x01;
    for (int i = 0; i < 8; i++) {
      expectedHeader[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    assertThat(Arrays.copyOf(bytes, 10)).isEqualTo(expectedHeader);
  }

  @Test
  void serializingTheDecodedRecordGivesTheSameBytes() {
    ImageEvent event = TestRecords.imageEvent(random, TestRecords.jpeg(random, 40, 30), ContentType.JPEG);
    event.setAttributes(Map.of("site", "dock-1")); // map entry order is not kept, so one entry
    Serializer<ImageEvent> serializer = AvroSerdes.imageEvent().serializer();
    byte[] first = serializer.serialize("t", event);
    byte[] second = serializer.serialize("t", AvroSerdes.imageEvent().deserializer().deserialize("t", first));
    assertThat(second).isEqualTo(first);
  }

  @Test
  void nullPayloadIsATombstoneBothWays() {
    assertThat(AvroSerdes.imageEvent().serializer().serialize("t", null)).isNull();
    assertThat(AvroSerdes.imageEvent().deserializer().deserialize("t", null)).isNull();
  }

  private static <T extends org.apache.avro.generic.GenericContainer> T roundTrip(AvroSerde<T> serde, T record) {
    Serializer<T> serializer = serde.serializer();
    Deserializer<T> deserializer = serde.deserializer();
    return deserializer.deserialize("topic", serializer.serialize("topic", record));
  }
}
