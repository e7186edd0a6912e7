package io.visionstream.model.train;

import java.util.List;

/**
 * Grayscale images with class labels, as 8-bit pixels row-major per image.
 *
 * @param name where they came from, for messages (e.g. {@code fashion-mnist test})
 * @param pixels {@code count × height × width} bytes
 * @param labels class index per image
 * @param classes class names in index order
 */
public record LabelledImages(String name, int count, int height, int width, byte[] pixels, int[] labels, List<String> classes) {

  public LabelledImages {
    if ((long) count * height * width != pixels.length || labels.length != count) {
      throw new IllegalArgumentException(name + ": " + pixels.length + " pixels and " + labels.length + " labels do not make "
          + count + " images of " + height + "×" + width);
    }
    for (int i = 0; i < count; i++) {
      if (labels[i] < 0 || labels[i] >= classes.size()) {
        throw new IllegalArgumentException(name + ": image " + i + " has label " + labels[i] + ", outside 0.." + (classes.size() - 1));
      }
    }
  }

  /** The 8-bit value of pixel (y, x) of image {@code i}. */
  public int pixel(int i, int y, int x) {
    return pixels[(i * height + y) * width + x] & 0xff;
  }

  /** Image {@code i} as an 8-bit grayscale PNG, as an upload service would send it. */
  public byte[] png(int i) {
    java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, width, height, java.util.Arrays.copyOfRange(pixels, i * height * width,
        (i + 1) * height * width));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(image, "png", out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The first {@code n} images. */
  public LabelledImages first(int n) {
    int m = Math.min(n, count);
    byte[] p = java.util.Arrays.copyOf(pixels, m * height * width);
    return new LabelledImages(name + " (first " + m + ")", m, height, width, p, java.util.Arrays.copyOf(labels, m), classes);
  }
}
