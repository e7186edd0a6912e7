package io.visionstream.model.resnet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ResNets of He et al. (CVPR 2016) as torchvision defines them: basic blocks (two 3×3
 * convolutions) for 18 and 34 layers, bottleneck blocks (1×1, 3×3, 1×1, expansion 4) for 50 and
 * more, with four stages of widths 64, 128, 256, 512.
 */
public enum ResNetArchitecture {
  RESNET18(false, 2, 2, 2, 2),
  RESNET34(false, 3, 4, 6, 3),
  RESNET50(true, 3, 4, 6, 3),
  RESNET101(true, 3, 4, 23, 3),
  RESNET152(true, 3, 8, 36, 3);

  /** Channels of the stem and of stage 1's blocks; each later stage doubles them. */
  public static final int BASE_WIDTH = 64;

  private final boolean bottleneck;
  private final List<Integer> blocksPerStage;

  ResNetArchitecture(boolean bottleneck, Integer... blocksPerStage) {
    this.bottleneck = bottleneck;
    this.blocksPerStage = List.of(blocksPerStage);
  }

  public boolean bottleneck() {
    return bottleneck;
  }

  /** Output channels of a block relative to its width: 4 for bottlenecks, 1 for basic blocks. */
  public int expansion() {
    return bottleneck ? 4 : 1;
  }

  public List<Integer> blocksPerStage() {
    return blocksPerStage;
  }

  /** Channels entering the final fully-connected layer (512 or 2048). */
  public int featureChannels() {
    return featureChannels(BASE_WIDTH);
  }

  /** Channels entering the final fully-connected layer for stage-1 width {@code width}. */
  public int featureChannels(int width) {
    return width * 8 * expansion();
  }

  /** Lower-case name as torchvision spells it, e.g. {@code resnet50}. */
  public String torchvisionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code resnet50}, {@code ResNet-50} or {@code RESNET50}. */
  public static ResNetArchitecture parse(String text) {
    String key = text.strip().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
    for (ResNetArchitecture arch : values()) {
      if (arch.name().equals(key)) {
        return arch;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + text + "': use resnet18, resnet34, resnet50, resnet101 or resnet152");
  }

  /**
   * Every parameter the network reads, by torchvision name, with torchvision's shape (convolutions
   * OIHW, the linear weight [classes, features]), in the order the network uses them.
   */
  public Map<String, long[]> parameterShapes(int classes) {
    return parameterShapes(classes, Stem.IMAGENET, BASE_WIDTH);
  }

  /**
   * As {@link #parameterShapes(int)}, for another stem and stage-1 width ({@code baseWidth}; the
   * stages have 1, 2, 4 and 8 times it).
   */
  public Map<String, long[]> parameterShapes(int classes, Stem stem, int baseWidth) {
    if (baseWidth <= 0 || classes <= 0) {
      throw new IllegalArgumentException("width and classes must be positive, got " + baseWidth + " and " + classes);
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    conv(shapes, "conv1", 3, baseWidth, stem.kernel());
    batchNorm(shapes, "bn1", baseWidth);
    int in = baseWidth;
    for (int stage = 0; stage < 4; stage++) {
      int width = baseWidth << stage;
      int out = width * expansion();
      for (int block = 0; block < blocksPerStage.get(stage); block++) {
        String prefix = "layer" + (stage + 1) + "." + block + ".";
        if (bottleneck) {
          conv(shapes, prefix + "conv1", in, width, 1);
          batchNorm(shapes, prefix + "bn1", width);
          conv(shapes, prefix + "conv2", width, width, 3);
          batchNorm(shapes, prefix + "bn2", width);
          conv(shapes, prefix + "conv3", width, out, 1);
          batchNorm(shapes, prefix + "bn3", out);
        } else {
          conv(shapes, prefix + "conv1", in, width, 3);
          batchNorm(shapes, prefix + "bn1", width);
          conv(shapes, prefix + "conv2", width, width, 3);
          batchNorm(shapes, prefix + "bn2", width);
        }
        if (block == 0 && (stage > 0 || in != out)) {
          conv(shapes, prefix + "downsample.0", in, out, 1);
          batchNorm(shapes, prefix + "downsample.1", out);
        }
        in = out;
      }
    }
    shapes.put("fc.weight", new long[] {classes, featureChannels(baseWidth)});
    shapes.put("fc.bias", new long[] {classes});
    return shapes;
  }

  /**
   * Multiply-adds of one forward pass on a {@code inputSize}² image: every convolution and the
   * final layer (batch norm, ReLU, pooling and additions are comparatively free). Twice this is the
   * FLOP count; ResNet-50 at 224 gives the usual 4.1 G.
   */
  public long multiplyAdds(int inputSize, int classes) {
    return multiplyAdds(inputSize, classes, Stem.IMAGENET, BASE_WIDTH);
  }

  /** As {@link #multiplyAdds(int, int)}, for another stem and stage-1 width. */
  public long multiplyAdds(int inputSize, int classes, Stem stem, int baseWidth) {
    long total = 0;
    int k = stem.kernel();
    int size = outputSize(inputSize, k, stem.stride(), k / 2);
    total += (long) size * size * 3 * baseWidth * k * k;
    if (stem.maxPool()) {
      size = outputSize(size, 3, 2, 1);
    }
    int in = baseWidth;
    for (int stage = 0; stage < 4; stage++) {
      int width = baseWidth << stage;
      int out = width * expansion();
      for (int block = 0; block < blocksPerStage.get(stage); block++) {
        int stride = stage > 0 && block == 0 ? 2 : 1;
        int outSize = outputSize(size, 3, stride, 1);
        long pixels = (long) outSize * outSize;
        if (bottleneck) {
          total += (long) size * size * in * width + pixels * width * width * 9 + pixels * width * out;
        } else {
          total += pixels * in * width * 9 + pixels * width * width * 9;
        }
        if (block == 0 && (stage > 0 || in != out)) {
          total += pixels * in * out;
        }
        in = out;
        size = outSize;
      }
    }
    return total + (long) featureChannels(baseWidth) * classes;
  }

  private static int outputSize(int in, int kernel, int stride, int pad) {
    return (in + 2 * pad - kernel) / stride + 1;
  }

  private static void conv(Map<String, long[]> shapes, String name, int in, int out, int kernel) {
    shapes.put(name + ".weight", new long[] {out, in, kernel, kernel});
  }

  private static void batchNorm(Map<String, long[]> shapes, String name, int channels) {
    for (String p : List.of("weight", "bias", "running_mean", "running_var")) {
      shapes.put(name + "." + p, new long[] {channels});
    }
  }
}
