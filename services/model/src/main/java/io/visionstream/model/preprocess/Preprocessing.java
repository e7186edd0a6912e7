package io.visionstream.model.preprocess;

import java.util.Arrays;

/**
 * How encoded images become a model's input: resize, crop, channel order, then per channel
 * {@code (pixel / divisor − mean[c]) / std[c]} in float32, pixels being 0..255 after resizing.
 *
 * @param resize {@link Resize#SHORTER_SIDE_THEN_CENTER_CROP} (torchvision's eval transform) or {@link Resize#DIRECT}
 * @param resizeSize length the shorter side is resized to (ignored for {@code DIRECT})
 * @param cropSize height and width of the model input
 * @param channelOrder channel order the model expects
 * @param divisor 0..255 pixel values are divided by it before the mean is subtracted (255 as
 *     torchvision's {@code ToTensor}, 1 for "caffe")
 * @param mean per channel, in the model's channel order, after dividing
 * @param std per channel, in the model's channel order, after dividing
 */
public record Preprocessing(Resize resize, int resizeSize, int cropSize, ChannelOrder channelOrder, float divisor,
    float[] mean, float[] std) {

  public enum Resize { SHORTER_SIDE_THEN_CENTER_CROP, DIRECT }

  public enum ChannelOrder { RGB, BGR }

  /** torchvision's ImageNet eval transform: Resize(256), CenterCrop(224), ToTensor, Normalize. */
  public static final Preprocessing TORCHVISION = new Preprocessing(Resize.SHORTER_SIDE_THEN_CENTER_CROP, 256, 224,
      ChannelOrder.RGB, 255f, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  /** Keras "caffe" preprocessing (keras.applications.resnet50): BGR, ImageNet mean subtracted, no scaling. */
  public static final Preprocessing CAFFE = new Preprocessing(Resize.DIRECT, 224, 224, ChannelOrder.BGR, 1f,
      new float[] {103.939f, 116.779f, 123.68f}, new float[] {1f, 1f, 1f});

  public Preprocessing {
    if (!(divisor > 0)) {
      throw new IllegalArgumentException("divisor must be positive, got " + divisor);
    }
    if (cropSize <= 0 || resizeSize < cropSize && resize == Resize.SHORTER_SIDE_THEN_CENTER_CROP) {
      throw new IllegalArgumentException("crop size must be positive and at most the resize size; got resize "
          + resizeSize + ", crop " + cropSize);
    }
    if (mean.length != 3 || std.length != 3 || !(std[0] > 0 && std[1] > 0 && std[2] > 0)) {
      throw new IllegalArgumentException("mean and std need 3 values each, std positive; got mean "
          + Arrays.toString(mean) + ", std " + Arrays.toString(std));
    }
  }

  /** Named presets: {@code torchvision} or {@code caffe}. */
  public static Preprocessing preset(String name) {
    return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "torchvision", "imagenet" -> TORCHVISION;
      case "caffe", "keras-caffe" -> CAFFE;
      default -> throw new IllegalArgumentException("unknown preprocessing '" + name + "': use torchvision or caffe");
    };
  }

  /**
   * Where the model input comes from in an image of {@code width}×{@code height}: the resized size
   * and the crop's offsets, computed as torchvision does ({@code int(size * long / short)} for the
   * long side, {@code int(round((resized - crop) / 2))} for the offsets, Python rounding half to even).
   */
  public Geometry geometry(int width, int height) {
    if (resize == Resize.DIRECT) {
      return new Geometry(cropSize, cropSize, 0, 0);
    }
    int newWidth = width <= height ? resizeSize : (int) ((double) resizeSize * width / height);
    int newHeight = width <= height ? (int) ((double) resizeSize * height / width) : resizeSize;
    return new Geometry(newWidth, newHeight, (int) Math.rint((newHeight - cropSize) / 2.0),
        (int) Math.rint((newWidth - cropSize) / 2.0));
  }

  /** Size an image is resized to, and the offsets of the crop taken from it. */
  public record Geometry(int resizedWidth, int resizedHeight, int top, int left) {}

  /** The same preprocessing for another input size (the resize keeps torchvision's 256:224 ratio). */
  public Preprocessing withCropSize(int size) {
    int resizeTo = resize == Resize.DIRECT ? size : Math.round(size * (float) resizeSize / cropSize);
    return new Preprocessing(resize, resizeTo, size, channelOrder, divisor, mean, std);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Preprocessing p && p.resize == resize && p.resizeSize == resizeSize && p.cropSize == cropSize
        && p.channelOrder == channelOrder && p.divisor == divisor && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(resize, resizeSize, cropSize, channelOrder, divisor, Arrays.hashCode(mean), Arrays.hashCode(std));
  }

  @Override
  public String toString() {
    return resize + " " + (resize == Resize.DIRECT ? "" : resizeSize + "→") + cropSize + " " + channelOrder + " /" + divisor
        + " mean " + Arrays.toString(mean) + " std " + Arrays.toString(std);
  }
}
