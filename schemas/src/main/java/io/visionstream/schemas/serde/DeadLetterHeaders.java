package io.visionstream.schemas.serde;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers visionstream's services put on dead letters, next to the record's own: what went wrong
 * and where the record came from. Readers (the moderation service, the load test) find the event
 * of a dead letter through {@link #EVENT_ID}; every dead letter whose bytes began as an ImageEvent
 * carries it, including records too large to decode.
 */
public final class DeadLetterHeaders {

  public static final String REASON = "visionstream.error.reason";
  public static final String EXCEPTION = "visionstream.error.exception";
  public static final String MESSAGE = "visionstream.error.message";
  public static final String SOURCE_TOPIC = "visionstream.source.topic";
  public static final String SOURCE_PARTITION = "visionstream.source.partition";
  public static final String SOURCE_OFFSET = "visionstream.source.offset";
  /** The event id of a dead letter whose bytes began as an ImageEvent (also when it could not be decoded). */
  public static final String EVENT_ID = "visionstream.event.id";
  /** The source id of such a dead letter, from the event itself (the record key may differ or be missing). */
  public static final String EVENT_SOURCE_ID = "visionstream.event.source-id";
  /** How many times the record was tried before it was judged a record fault (e.g. model runs, alone and in batches). */
  public static final String ATTEMPTS = "visionstream.error.attempts";
  public static final String TRUNCATED_FROM = "visionstream.dead-letter.truncated-from-bytes";

  private DeadLetterHeaders() {}

  /** The last value of header {@code key} as UTF-8, or null when absent. */
  public static String get(Headers headers, String key) {
    Header header = headers.lastHeader(key);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
