package io.visionstream.moderation.topology;

import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of a prediction: its {@code captured_at}, so that tag windows cover when frames were
 * taken, not when they were classified. A record that is not a readable prediction keeps its
 * record timestamp (it goes to the dead-letter topic anyway).
 */
public final class CapturedAtExtractor implements TimestampExtractor {

  private final Deserializer<Prediction> predictions = AvroSerdes.prediction().deserializer();

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof byte[] bytes) {
      try {
        return predictions.deserialize(record.topic(), bytes).getCapturedAt().toEpochMilli();
      } catch (RuntimeException e) {
        // not a prediction: handled by the parse step
      }
    }
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
  }
}
