package io.visionstream.model.inference;

import java.util.ArrayList;
import java.util.List;

/** A class index with its label and probability. */
public record ClassScores(int index, String label, float score) {

  /** The {@code k} highest-scoring classes, best first (ties by lower index). */
  public static List<ClassScores> top(float[] probabilities, int k, List<String> labels) {
    return top(probabilities, probabilities, k, labels);
  }

  /**
   * The {@code k} classes ranked by {@code rankBy} (e.g. logits, which do not tie where float32
   * probabilities underflow to 0), best first, each with its probability.
   */
  public static List<ClassScores> top(float[] rankBy, float[] probabilities, int k, List<String> labels) {
    int n = Math.min(k, rankBy.length);
    int[] best = new int[n];
    int size = 0;
    for (int i = 0; i < rankBy.length; i++) {
      int at = size;
      while (at > 0 && rankBy[best[at - 1]] < rankBy[i]) {
        at--;
      }
      if (at < n) {
        System.arraycopy(best, at, best, at + 1, Math.min(size, n - 1) - at);
        best[at] = i;
        size = Math.min(size + 1, n);
      }
    }
    List<ClassScores> top = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      top.add(new ClassScores(best[i], labels.get(best[i]), probabilities[best[i]]));
    }
    return top;
  }
}
