package io.visionstream.model.preprocess;

/**
 * An image the preprocessor will not (or cannot) turn into model input. Not retriable: the same
 * bytes are rejected again. {@link #reason()} classifies it for dead-letter headers and metrics.
 */
public final class ImageRejectedException extends Exception {

  public enum Reason {
    /** Neither JPEG nor PNG by its header. */
    UNSUPPORTED_FORMAT,
    /** The header declares more pixels than the configured limit (decompression bomb guard). */
    TOO_MANY_PIXELS,
    /** The header is readable but the image data is not (truncated or corrupt). */
    UNDECODABLE
  }

  private final Reason reason;

  public ImageRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
