package io.visionstream.moderation.topology;

import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a processing step made of one input record: a value to pass on, or a dead letter (the
 * input's original bytes, with {@link DeadLetterHeaders} saying what went wrong and where).
 */
public record Outcome<T>(T value, byte[] deadLetter, Headers deadLetterHeaders) {

  public static <T> Outcome<T> of(T value) {
    return new Outcome<>(value, null, null);
  }

  /** A dead letter of {@code record}, which {@code metadata} locates (null when the input is not from a topic). */
  public static <T> Outcome<T> dead(FixedKeyRecord<?, byte[]> record, RecordMetadata metadata, String reason,
      RuntimeException error) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, DeadLetterHeaders.REASON, reason);
    put(headers, DeadLetterHeaders.EXCEPTION, error.getClass().getName());
    put(headers, DeadLetterHeaders.MESSAGE, String.valueOf(error.getMessage()));
    if (metadata != null) {
      put(headers, DeadLetterHeaders.SOURCE_TOPIC, metadata.topic());
      put(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(metadata.partition()));
      put(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(metadata.offset()));
    }
    return new Outcome<>(null, record.value() == null ? new byte[0] : record.value(), headers);
  }

  public boolean isDead() {
    return deadLetter != null;
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
