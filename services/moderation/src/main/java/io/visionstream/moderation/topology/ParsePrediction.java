package io.visionstream.moderation.topology;

import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Reads a prediction from its bytes; anything unreadable (or a tombstone) becomes a dead letter. */
final class ParsePrediction implements FixedKeyProcessor<String, byte[], Outcome<Prediction>> {

  static final String UNREADABLE = "UNREADABLE_PREDICTION";

  private final Deserializer<Prediction> predictions = AvroSerdes.prediction().deserializer();
  private FixedKeyProcessorContext<String, Outcome<Prediction>> context;

  @Override
  public void init(FixedKeyProcessorContext<String, Outcome<Prediction>> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    context.forward(record.withValue(parse(record, context, predictions)));
  }

  /** The prediction in {@code record}, or its dead letter. */
  static Outcome<Prediction> parse(FixedKeyRecord<String, byte[]> record, FixedKeyProcessorContext<?, ?> context,
      Deserializer<Prediction> predictions) {
    try {
      if (record.value() == null) {
        throw new IllegalArgumentException("tombstone (null value) where a Prediction was expected");
      }
      String topic = context.recordMetadata().map(m -> m.topic()).orElse(null);
      return Outcome.of(predictions.deserialize(topic, record.value()));
    } catch (RuntimeException e) {
      return Outcome.dead(record, context.recordMetadata().orElse(null), UNREADABLE, e);
    }
  }
}
