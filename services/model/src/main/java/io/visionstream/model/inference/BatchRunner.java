package io.visionstream.model.inference;

import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.ScoresKind;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Runs preprocessed image batches through a {@link ClassifierModel}. Thread-safe: TensorFlow
 * sessions run concurrent calls. Every tensor it creates or receives is closed before a call
 * returns; the caller keeps ownership of the input. A batch that runs out of device memory is
 * split in halves and retried, down to single images.
 */
public final class BatchRunner {

  private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

  /**
   * Scores of one batch.
   *
   * @param probabilities per image, per class
   * @param logits per image, per class, when requested and the model has them, else {@code null}
   * @param inferenceNanos wall time of the session runs
   * @param splits how many times the batch was halved after running out of memory
   */
  public record Scores(float[][] probabilities, float[][] logits, long inferenceNanos, int splits) {}

  /** One session run: scores and, if asked and available, logits of every row of the batch. */
  interface SessionCall {
    float[][][] run(TFloat32 batch, boolean withLogits);
  }

  private final ClassifierModel model;
  private final SessionCall call;
  private final ScoresKind scoresKind;
  private final boolean hasLogits;

  public BatchRunner(ClassifierModel model) {
    this.model = model;
    this.call = (batch, withLogits) -> runSession(model, batch, withLogits);
    this.scoresKind = model.scoresKind();
    this.hasLogits = model.signature().logitsTensor() != null;
  }

  /** For tests: runs {@code call} instead of a model's session. */
  BatchRunner(SessionCall call, ScoresKind scoresKind, boolean hasLogits) {
    this.model = null;
    this.call = call;
    this.scoresKind = scoresKind;
    this.hasLogits = hasLogits;
  }

  /** The model it runs ({@code null} only in tests). */
  public ClassifierModel model() {
    return model;
  }

  /** Classifies a batch [n, h, w, 3]; with {@code withLogits}, also returns the model's logits. */
  public Scores run(TFloat32 batch, boolean withLogits) {
    long start = System.nanoTime();
    List<float[][]> parts = new ArrayList<>();
    int splits = runSplitting(batch, withLogits && hasLogits, parts);
    int n = (int) batch.shape().get(0);
    float[][] scores = new float[n][];
    float[][] logits = parts.size() > 1 && parts.get(1) != null ? new float[n][] : null;
    int row = 0;
    for (int p = 0; p < parts.size(); p += 2) {
      for (int i = 0; i < parts.get(p).length; i++, row++) {
        scores[row] = parts.get(p)[i];
        if (logits != null) {
          logits[row] = parts.get(p + 1)[i];
        }
      }
    }
    if (scoresKind == ScoresKind.LOGITS) {
      for (int i = 0; i < n; i++) {
        scores[i] = softmax(scores[i]);
      }
    }
    return new Scores(scores, logits, System.nanoTime() - start, splits);
  }

  /** Appends [scores, logits-or-null] pairs for consecutive sub-batches; returns the number of splits. */
  private int runSplitting(TFloat32 batch, boolean withLogits, List<float[][]> parts) {
    try {
      float[][][] out = call.run(batch, withLogits);
      parts.add(out[0]);
      parts.add(out[1]);
      return 0;
    } catch (TFResourceExhaustedException e) {
      int n = (int) batch.shape().get(0);
      if (n <= 1) {
        throw e;
      }
      log.warn("Batch of {} ran out of memory; retrying as {} + {}", n, n / 2, n - n / 2);
      int splits = 1;
      try (TFloat32 first = slice(batch, 0, n / 2); TFloat32 second = slice(batch, n / 2, n)) {
        splits += runSplitting(first, withLogits, parts);
        splits += runSplitting(second, withLogits, parts);
      }
      return splits;
    }
  }

  private static float[][][] runSession(ClassifierModel model, TFloat32 batch, boolean withLogits) {
    Session.Runner runner = model.session().runner()
        .feed(model.signature().inputTensor(), batch)
        .fetch(model.signature().scoresTensor());
    if (withLogits) {
      runner.fetch(model.signature().logitsTensor());
    }
    try (Result result = runner.run()) {
      return new float[][][] {rows((TFloat32) result.get(0)), withLogits ? rows((TFloat32) result.get(1)) : null};
    }
  }

  /** A copy of rows [from, to) of a [n, ...] batch. */
  static TFloat32 slice(TFloat32 batch, int from, int to) {
    long[] dims = batch.shape().asArray();
    long rowBytes = batch.asRawTensor().data().size() / dims[0];
    dims[0] = to - from;
    TFloat32 part = TFloat32.tensorOf(Shape.of(dims));
    batch.asRawTensor().data().offset(from * rowBytes).copyTo(part.asRawTensor().data(), (to - from) * rowBytes);
    return part;
  }

  private static float[][] rows(TFloat32 tensor) {
    int n = (int) tensor.shape().get(0);
    int classes = (int) tensor.shape().get(1);
    float[] flat = new float[n * classes];
    tensor.asRawTensor().data().asFloats().read(flat);
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = java.util.Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
    }
    return out;
  }

  static float[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] e = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      e[i] = Math.exp(logits[i] - max);
      sum += e[i];
    }
    float[] out = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = (float) (e[i] / sum);
    }
    return out;
  }
}
