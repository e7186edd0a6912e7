package io.visionstream.schemas.serde;

/** The body ends before the writer schema says it should. */
public final class TruncatedPayloadException extends CorruptPayloadException {
  TruncatedPayloadException(String topic, String message) {
    super(topic, message, null);
  }
}
