package io.visionstream.model.weights;

/** Weights that do not fit the network: missing, unknown or mis-shaped parameters, by name. */
public final class WeightsException extends RuntimeException {
  public WeightsException(String message) {
    super(message);
  }

  public WeightsException(String message, Throwable cause) {
    super(message, cause);
  }
}
