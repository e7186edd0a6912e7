package io.visionstream.model.train;

import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.Preprocessing;
import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Turns dataset images into model input batches: the gray value copied into three channels and
 * normalised with the same per-value table the classifier's preprocessor uses, so that an image
 * evaluated here and the same image streamed as a PNG reach the network bit for bit alike.
 * Training batches can be augmented as in the ResNet paper's CIFAR-10 experiments: a random crop
 * of the image padded with {@code padding} zero pixels on each side, and a horizontal flip with
 * probability ½.
 */
public final class Batches {

  /** @param padding zero pixels added around the image before a random crop (0: no crop) */
  public record Augmentation(int padding, boolean flip) {
    public static final Augmentation NONE = new Augmentation(0, false);
  }

  private final LabelledImages data;
  private final float[] table;

  public Batches(LabelledImages data, Preprocessing preprocessing) {
    if (preprocessing.cropSize() != data.height() || data.height() != data.width()) {
      throw new IllegalArgumentException(data.name() + " has " + data.height() + "×" + data.width()
          + " images; the model's input is " + preprocessing.cropSize() + "×" + preprocessing.cropSize());
    }
    this.data = data;
    this.table = ImagePreprocessor.normalisationTable(preprocessing);
  }

  public LabelledImages data() {
    return data;
  }

  /** Images {@code indices[from, to)} as a [n, h, w, 3] batch, augmented with draws from {@code random}. */
  public TFloat32 images(int[] indices, int from, int to, Augmentation augmentation, SplittableRandom random) {
    int h = data.height();
    int w = data.width();
    int n = to - from;
    float[] out = new float[n * h * w * 3];
    int pad = augmentation.padding();
    for (int k = 0; k < n; k++) {
      int image = indices[from + k];
      int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
      int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
      boolean flip = augmentation.flip() && random.nextBoolean();
      int at = k * h * w * 3;
      for (int y = 0; y < h; y++) {
        int sy = y + dy;
        for (int x = 0; x < w; x++) {
          int sx = (flip ? w - 1 - x : x) + dx;
          int value = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : data.pixel(image, sy, sx);
          out[at++] = table[3 * value];
          out[at++] = table[3 * value + 1];
          out[at++] = table[3 * value + 2];
        }
      }
    }
    return TFloat32.tensorOf(Shape.of(n, h, w, 3), DataBuffers.of(out, true, false));
  }

  public TInt32 labels(int[] indices, int from, int to) {
    int[] out = new int[to - from];
    for (int k = 0; k < out.length; k++) {
      out[k] = data.labels()[indices[from + k]];
    }
    return TInt32.tensorOf(Shape.of(out.length), DataBuffers.of(out, true, false));
  }

  /** 0, 1, …, count − 1. */
  public int[] inOrder() {
    return java.util.stream.IntStream.range(0, data.count()).toArray();
  }

  /** A permutation of the images, the same for the same {@code random} state. */
  public int[] shuffled(SplittableRandom random) {
    int[] order = inOrder();
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
