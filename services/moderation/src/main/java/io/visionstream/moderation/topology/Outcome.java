package io.visionstream.moderation.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a processing step made of one input record: a value to pass on, or a dead letter (the
 * input's original bytes, with headers saying what went wrong and where).
 */
public record Outcome<T>(T value, byte[] deadLetter, Headers deadLetterHeaders) {

  /** Headers of this service's dead letters, alongside the input record's own. */
  public static final String REASON = "visionstream.error.reason";
  public static final String MESSAGE = "visionstream.error.message";
  public static final String EXCEPTION = "visionstream.error.exception";
  public static final String SOURCE_TOPIC = "visionstream.source.topic";
  public static final String SOURCE_PARTITION = "visionstream.source.partition";
  public static final String SOURCE_OFFSET = "visionstream.source.offset";

  public static <T> Outcome<T> of(T value) {
    return new Outcome<>(value, null, null);
  }

  /** A dead letter of {@code record}, which {@code metadata} locates (null when the input is not from a topic). */
  public static <T> Outcome<T> dead(FixedKeyRecord<?, byte[]> record, RecordMetadata metadata, String reason,
      RuntimeException error) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, REASON, reason);
    put(headers, EXCEPTION, error.getClass().getName());
    put(headers, MESSAGE, String.valueOf(error.getMessage()));
    if (metadata != null) {
      put(headers, SOURCE_TOPIC, metadata.topic());
      put(headers, SOURCE_PARTITION, Integer.toString(metadata.partition()));
      put(headers, SOURCE_OFFSET, Long.toString(metadata.offset()));
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
