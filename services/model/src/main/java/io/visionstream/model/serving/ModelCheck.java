package io.visionstream.model.serving;

import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.savedmodel.ClassifierModel;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * What a model version must pass before it serves: it takes the same input and preprocessing as
 * the version serving now, scores the same classes under the same labels (moderation policies and
 * tag summaries name labels), and a warm-up batch gives finite scores in [0, 1]. The warm-up also
 * makes the first real batch as fast as the ones after it.
 */
public final class ModelCheck {

  /** Images in the warm-up batch. */
  public static final int WARMUP_IMAGES = 4;

  private ModelCheck() {}

  /**
   * Why {@code candidate} must not replace {@code serving} ({@code null}: it must only pass the
   * warm-up), or {@code null} when it may.
   */
  public static String problem(ClassifierModel candidate, ClassifierModel serving) {
    if (serving != null) {
      if (candidate.preprocessing().cropSize() != serving.preprocessing().cropSize()) {
        int size = candidate.preprocessing().cropSize();
        int now = serving.preprocessing().cropSize();
        return "it takes " + size + "×" + size + " inputs; the serving model takes " + now + "×" + now;
      }
      if (!candidate.preprocessing().equals(serving.preprocessing())) {
        return "it preprocesses images as " + candidate.preprocessing() + "; the serving model as " + serving.preprocessing()
            + " (restart the classifier to change preprocessing)";
      }
      List<String> labels = candidate.labels();
      List<String> servingLabels = serving.labels();
      if (labels.size() != servingLabels.size()) {
        return "it scores " + labels.size() + " classes; the serving model scores " + servingLabels.size();
      }
      for (int i = 0; i < labels.size(); i++) {
        if (!labels.get(i).equals(servingLabels.get(i))) {
          return "class " + i + " is '" + labels.get(i) + "'; in the serving model it is '" + servingLabels.get(i) + "'";
        }
      }
    }
    return warmUp(candidate);
  }

  /** Runs a batch of seeded noise images; the reason the scores are unusable, or {@code null}. */
  static String warmUp(ClassifierModel candidate) {
    int size = candidate.preprocessing().cropSize();
    float[] pixels = new float[WARMUP_IMAGES * size * size * 3];
    SplittableRandom random = new SplittableRandom(20161);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) (random.nextDouble() * 4 - 2);
    }
    BatchRunner.Scores scores;
    try (TFloat32 batch = TFloat32.tensorOf(Shape.of(WARMUP_IMAGES, size, size, 3))) {
      batch.asRawTensor().data().asFloats().write(pixels);
      scores = new BatchRunner(candidate).run(batch, false);
    } catch (RuntimeException e) {
      return "the warm-up batch failed: " + e;
    }
    float[][] rows = scores.probabilities();
    for (int image = 0; image < rows.length; image++) {
      for (int c = 0; c < rows[image].length; c++) {
        float p = rows[image][c];
        if (!Float.isFinite(p) || p < 0 || p > 1.0001f) {
          return "the warm-up batch scored " + p + " for class " + c + " of image " + image
              + " (scores must be finite probabilities)";
        }
      }
    }
    return null;
  }
}
