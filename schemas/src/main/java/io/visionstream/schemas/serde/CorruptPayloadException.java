package io.visionstream.schemas.serde;

/**
 * The header is valid but the body is not a value of the writer schema: an out-of-range enum or
 * union index, a negative length, an over-long varint, trailing bytes, a malformed logical value.
 */
public class CorruptPayloadException extends InvalidPayloadException {
  CorruptPayloadException(String topic, String message, Throwable cause) {
    super(topic, message, cause);
  }
}
