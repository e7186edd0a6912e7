package io.visionstream.model.resnet;

import java.util.Locale;

/** The layers before the residual stages. */
public enum Stem {
  /** torchvision's, for ImageNet-sized inputs: 7×7 stride-2 convolution, BN, ReLU, 3×3 stride-2 max-pool. */
  IMAGENET(7, 2, true),
  /**
   * For small inputs such as CIFAR-10 or Fashion-MNIST (28–32 px): 3×3 stride-1 convolution, BN,
   * ReLU and no max-pool, so the first stage sees the full resolution.
   */
  CIFAR(3, 1, false);

  private final int kernel;
  private final int stride;
  private final boolean maxPool;

  Stem(int kernel, int stride, boolean maxPool) {
    this.kernel = kernel;
    this.stride = stride;
    this.maxPool = maxPool;
  }

  public int kernel() {
    return kernel;
  }

  public int stride() {
    return stride;
  }

  public boolean maxPool() {
    return maxPool;
  }

  /** Parses {@code imagenet} or {@code cifar}, in any case. */
  public static Stem parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown stem '" + text + "': use imagenet or cifar");
    }
  }
}
