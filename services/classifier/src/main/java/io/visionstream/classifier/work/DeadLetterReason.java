package io.visionstream.classifier.work;

/** Why a record went to the dead-letter topic; the value of its {@code visionstream.error.reason} header. */
public enum DeadLetterReason {
  /** Key plus value larger than the configured record limit; not decoded. */
  RECORD_TOO_LARGE,
  /** The value is not a readable ImageEvent (not Avro, unknown schema, corrupt, truncated, empty). */
  INVALID_EVENT,
  /** The event's content type is one this classifier does not support. */
  UNSUPPORTED_CONTENT_TYPE,
  /** The image bytes are neither JPEG nor PNG. */
  UNSUPPORTED_FORMAT,
  /** The image header declares more pixels than the limit (decompression bomb guard). */
  TOO_MANY_PIXELS,
  /** The image data cannot be decoded (truncated or corrupt). */
  UNDECODABLE,
  /** The model fails on this image alone, twice, while it classifies other images (found by bisecting a failed batch). */
  INFERENCE_FAILED
}
