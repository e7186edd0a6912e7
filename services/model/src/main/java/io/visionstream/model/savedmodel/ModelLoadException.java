package io.visionstream.model.savedmodel;

/** A model directory that cannot serve as an image classifier; the message names what did not fit. */
public final class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
