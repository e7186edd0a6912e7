package io.visionstream.classifier.work;

import java.util.Locale;

/** The pipeline's stages in data-flow order, as logs, health and metrics name them. */
public enum Stage {
  /** The poll thread: consumer, admission, backpressure, commits (at-least-once). */
  SOURCE,
  /** Reading events and preprocessing images. */
  DECODE,
  /** Running the model on batches. */
  INFERENCE,
  /** Writing predictions and dead letters (and, exactly-once, committing offsets). */
  SINK;

  /** Lower-case name, e.g. {@code decode}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
