package io.visionstream.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that cannot be read as the expected Avro record. Subclasses say why; none of
 * them is retriable, since reading the same bytes again gives the same answer. The Kafka
 * consumer wraps these in a {@code RecordDeserializationException} carrying partition and
 * offset; the message names the topic, the payload length and what was wrong.
 */
public class InvalidPayloadException extends SerializationException {

  private final String topic;

  InvalidPayloadException(String topic, String message, Throwable cause) {
    super(message, cause);
    this.topic = topic;
  }

  /** Topic the payload was read from, or {@code null} when decoded outside Kafka. */
  public String topic() {
    return topic;
  }
}
