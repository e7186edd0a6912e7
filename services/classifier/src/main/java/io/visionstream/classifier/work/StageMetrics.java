package io.visionstream.classifier.work;

import io.visionstream.schemas.ModelRef;

/** What stages count: batches run by the model, and outcomes the broker acknowledged. */
public interface StageMetrics {

  /** A batch of {@code size} that {@code model} ran in {@code inferenceNanos} after waiting {@code waitNanos} to fill. */
  void batch(int size, long waitNanos, long inferenceNanos, ModelRef model);

  void finished(Outcome outcome);
}
