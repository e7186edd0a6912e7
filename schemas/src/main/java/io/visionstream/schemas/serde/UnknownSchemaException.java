package io.visionstream.schemas.serde;

/**
 * The writer schema's fingerprint is not one this reader knows. Either the writer used a schema
 * version newer than this build (register its {@code .avsc} with
 * {@value AvroDeserializer#EXTRA_SCHEMAS_CONFIG}) or the bytes are not a visionstream record.
 */
public final class UnknownSchemaException extends InvalidPayloadException {

  private final long fingerprint;

  UnknownSchemaException(String topic, long fingerprint, String message) {
    super(topic, message, null);
    this.fingerprint = fingerprint;
  }

  public long fingerprint() {
    return fingerprint;
  }
}
