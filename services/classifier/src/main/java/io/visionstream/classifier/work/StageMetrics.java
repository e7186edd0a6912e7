package io.visionstream.classifier.work;

/** What stages count: batches run by the model, and outcomes the broker acknowledged. */
public interface StageMetrics {

  void batch(int size, long waitNanos, long inferenceNanos);

  void finished(Outcome outcome);
}
