package io.visionstream.classifier.it;

import io.visionstream.classifier.infer.InferenceModel;
import io.visionstream.model.inference.BatchRunner;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.types.TFloat32;

/**
 * The real model behind a switch the test controls: it can fail every call until a deadline (a
 * sick device), always (a broken model), or on any batch holding a poison image (solid magenta,
 * which preprocessing turns into a known first pixel).
 */
final class FaultyModel implements InferenceModel {

  /** Magenta's red and green after torchvision's normalisation. */
  static final float POISON_R = (1f - 0.485f) / 0.229f;
  static final float POISON_G = (0f - 0.456f) / 0.224f;

  private final InferenceModel real;
  private final AtomicInteger failures = new AtomicInteger();
  private final List<Integer> batchSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile long failUntilNanos;
  private volatile boolean broken;
  private volatile boolean poisonous;

  FaultyModel(InferenceModel real) {
    this.real = real;
  }

  void failFor(java.time.Duration duration) {
    failUntilNanos = System.nanoTime() + duration.toNanos();
  }

  void breakForGood() {
    broken = true;
  }

  void failOnPoison() {
    poisonous = true;
  }

  /** Sizes of the batches it was called with, in order (the blank canary is 1). */
  List<Integer> batchSizes() {
    return batchSizes;
  }

  /** Calls that failed. */
  int failures() {
    return failures.get();
  }

  @Override
  public BatchRunner.Scores run(TFloat32 batch) {
    batchSizes.add((int) batch.shape().get(0));
    if (broken || System.nanoTime() < failUntilNanos) {
      failures.incrementAndGet();
      throw new IllegalStateException("injected device fault: CUDA_ERROR_LAUNCH_FAILED");
    }
    if (poisonous) {
      int n = (int) batch.shape().get(0);
      long perImage = batch.shape().size() / n;
      for (int i = 0; i < n; i++) {
        float r = batch.asRawTensor().data().asFloats().getFloat(i * perImage);
        float g = batch.asRawTensor().data().asFloats().getFloat(i * perImage + 1);
        if (Math.abs(r - POISON_R) < 1e-3 && Math.abs(g - POISON_G) < 1e-3) {
          failures.incrementAndGet();
          throw new IllegalArgumentException("injected: the model fails on this input (NaN in layer4)");
        }
      }
    }
    return real.run(batch);
  }

  @Override
  public int inputSize() {
    return real.inputSize();
  }

  @Override
  public List<String> labels() {
    return real.labels();
  }
}
