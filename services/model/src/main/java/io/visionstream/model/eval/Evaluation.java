package io.visionstream.model.eval;

import java.util.List;
import java.util.Locale;

/**
 * Top-1 results of a classifier on labelled images: the confusion matrix (rows: true class,
 * columns: predicted class) and what follows from it.
 */
public final class Evaluation {

  private final List<String> classes;
  private final long[][] confusion;
  private long total;

  public Evaluation(List<String> classes) {
    this.classes = List.copyOf(classes);
    this.confusion = new long[classes.size()][classes.size()];
  }

  public void add(int actual, int predicted) {
    confusion[actual][predicted]++;
    total++;
  }

  public List<String> classes() {
    return classes;
  }

  public long total() {
    return total;
  }

  public long count(int actual, int predicted) {
    return confusion[actual][predicted];
  }

  public long correct() {
    long c = 0;
    for (int i = 0; i < confusion.length; i++) {
      c += confusion[i][i];
    }
    return c;
  }

  public double accuracy() {
    return total == 0 ? Double.NaN : correct() / (double) total;
  }

  /** Of the images predicted as {@code c}, the share that are {@code c} (NaN if none was predicted as it). */
  public double precision(int c) {
    long predicted = 0;
    for (long[] row : confusion) {
      predicted += row[c];
    }
    return predicted == 0 ? Double.NaN : confusion[c][c] / (double) predicted;
  }

  /** Of the images of class {@code c}, the share predicted as {@code c} (NaN if there were none). */
  public double recall(int c) {
    long actual = support(c);
    return actual == 0 ? Double.NaN : confusion[c][c] / (double) actual;
  }

  public long support(int c) {
    long actual = 0;
    for (long v : confusion[c]) {
      actual += v;
    }
    return actual;
  }

  /** Accuracy, then precision, recall, F1 and support per class, then the confusion matrix. */
  public String report() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "accuracy %.4f (%d of %d)%n%n", accuracy(), correct(), total));
    int nameWidth = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
    out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %9s  %6s  %6s  %7s%n", "class", "precision", "recall", "f1",
        "support"));
    for (int c = 0; c < classes.size(); c++) {
      double p = precision(c);
      double r = recall(c);
      out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %9.4f  %6.4f  %6.4f  %7d%n", classes.get(c), p, r,
          2 * p * r / (p + r), support(c)));
    }
    out.append(String.format(Locale.ROOT, "%nconfusion matrix (rows: true class, columns: predicted, in class order)%n"));
    int rowWidth = nameWidth + String.valueOf(classes.size() - 1).length() + 1;
    out.append(String.format(Locale.ROOT, "%-" + rowWidth + "s", ""));
    for (int c = 0; c < classes.size(); c++) {
      out.append(String.format(Locale.ROOT, " %5d", c));
    }
    out.append('\n');
    for (int a = 0; a < classes.size(); a++) {
      out.append(String.format(Locale.ROOT, "%-" + rowWidth + "s", a + " " + classes.get(a)));
      for (int p = 0; p < classes.size(); p++) {
        out.append(String.format(Locale.ROOT, " %5d", confusion[a][p]));
      }
      out.append('\n');
    }
    return out.toString();
  }
}
