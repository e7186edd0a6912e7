package io.visionstream.model.inference;

import java.util.ArrayList;
import java.util.List;

/** A class index with its label and probability. */
public record ClassScores(int index, String label, float score) {

  /** The {@code k} highest-scoring classes, best first (ties by lower index). */
  public static List<ClassScores> top(float[] probabilities, int k, List<String> labels) {
    int n = Math.min(k, probabilities.length);
    int[] best = new int[n];
    int size = 0;
    for (int i = 0; i < probabilities.length; i++) {
      int at = size;
      while (at > 0 && probabilities[best[at - 1]] < probabilities[i]) {
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
