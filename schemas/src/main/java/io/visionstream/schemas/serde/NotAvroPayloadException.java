package io.visionstream.schemas.serde;

/** The payload does not start with the single-object marker {@code C3 01} or is too short for a header. */
public final class NotAvroPayloadException extends InvalidPayloadException {
  NotAvroPayloadException(String topic, String message) {
    super(topic, message, null);
  }
}
