package io.visionstream.model.preprocess;

/**
 * Resampling coefficients exactly as Pillow computes them for an 8-bit bilinear resize
 * ({@code Image.resize(size, BILINEAR)}, which torchvision's {@code Resize} calls): a triangle
 * filter widened by the downscale factor, normalised per output pixel, then rounded to integers
 * with {@value #PRECISION_BITS} fractional bits. Applying them as Pillow does
 * ({@code (2^21 + Σ pixel·coefficient) >> 22}, clipped to 0..255, horizontal pass before vertical)
 * reproduces Pillow's output bit for bit.
 *
 * <p>Follows {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} in Pillow's
 * {@code libImaging/Resample.c}.
 */
public final class PillowResampling {

  /** Pillow's fixed-point precision for 8-bit images: 32 − 8 − 2. */
  public static final int PRECISION_BITS = 22;

  /**
   * Taps of a run of output pixels: {@code index[j][t]} is the input pixel of tap {@code t} of
   * output {@code from + j}, {@code weight[j][t]} its integer coefficient (unused taps have weight 0).
   */
  public record Taps(int outputs, int taps, int[] index, int[] weight) {}

  private PillowResampling() {}

  /**
   * Coefficients for resizing an axis of {@code inSize} pixels to {@code outSize}, for the
   * {@code count} output pixels starting at {@code from} (a crop of the resized axis).
   */
  public static Taps taps(int inSize, int outSize, int from, int count) {
    if (inSize <= 0 || outSize <= 0 || from < 0 || from + count > outSize) {
      throw new IllegalArgumentException("cannot take outputs " + from + ".." + (from + count) + " of a resize from "
          + inSize + " to " + outSize);
    }
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filterScale; // the bilinear filter's support is 1
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] index = new int[count * ksize];
    int[] weight = new int[count * ksize];
    double[] k = new double[ksize];
    for (int j = 0; j < count; j++) {
      double center = (from + j + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double total = 0;
      for (int x = 0; x < xmax; x++) {
        k[x] = triangle((x + xmin - center + 0.5) / filterScale);
        total += k[x];
      }
      for (int x = 0; x < ksize; x++) {
        int at = j * ksize + x;
        index[at] = x < xmax ? xmin + x : xmin;
        if (x < xmax) {
          double normalised = total != 0 ? k[x] / total : k[x];
          weight[at] = (int) (normalised < 0 ? -0.5 + normalised * (1 << PRECISION_BITS) : 0.5 + normalised * (1 << PRECISION_BITS));
        }
      }
    }
    return new Taps(count, ksize, index, weight);
  }

  private static double triangle(double x) {
    double a = Math.abs(x);
    return a < 1.0 ? 1.0 - a : 0.0;
  }
}
