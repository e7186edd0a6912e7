package io.visionstream.schemas.serde;

/** The payload is a valid record of another type than the one this deserializer reads. */
public final class UnexpectedRecordTypeException extends InvalidPayloadException {
  UnexpectedRecordTypeException(String topic, String message) {
    super(topic, message, null);
  }
}
