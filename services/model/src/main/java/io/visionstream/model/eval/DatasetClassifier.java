package io.visionstream.model.eval;

import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.train.Batches;
import io.visionstream.model.train.TrainingGraph;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;
import org.tensorflow.types.TFloat32;

/**
 * Runs a served model (SavedModel) over a labelled dataset offline, through the same batch runner
 * and with the same input values as the classifier service, and collects top-1 predictions.
 */
public final class DatasetClassifier {

  /** Top-1 class and its probability for image {@code index}. */
  public record Prediction(int index, int label, int predicted, float score) {}

  private DatasetClassifier() {}

  public static Prediction[] classify(BatchRunner runner, Batches data, int batchSize) {
    int n = data.data().count();
    int[] order = data.inOrder();
    Prediction[] out = new Prediction[n];
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      float[][] probabilities;
      try (TFloat32 images = data.images(order, from, to, Batches.Augmentation.NONE, null)) {
        probabilities = runner.run(images, false).probabilities();
      }
      for (int i = from; i < to; i++) {
        float[] p = probabilities[i - from];
        int best = TrainingGraph.argMax(p, 0, p.length);
        out[i] = new Prediction(i, data.data().labels()[i], best, p[best]);
      }
    }
    return out;
  }

  public static Evaluation evaluate(Prediction[] predictions, java.util.List<String> classes) {
    Evaluation evaluation = new Evaluation(classes);
    for (Prediction p : predictions) {
      evaluation.add(p.label(), p.predicted());
    }
    return evaluation;
  }

  /** One line per image: {@code id,label,predicted,predicted_label,score}; the score is printed to round-trip exactly. */
  public static void writeCsv(Prediction[] predictions, IntFunction<String> ids, java.util.List<String> classes, Path file)
      throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
      w.println("id,label,predicted,predicted_label,score");
      for (Prediction p : predictions) {
        w.println(ids.apply(p.index()) + "," + p.label() + "," + p.predicted() + "," + classes.get(p.predicted()) + ","
            + p.score());
      }
    }
  }
}
