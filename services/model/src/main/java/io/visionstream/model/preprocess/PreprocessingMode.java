package io.visionstream.model.preprocess;

import java.util.Locale;

/**
 * How JPEGs are decoded before the resize. {@link #EXACT}: at full size, so that the model input
 * is bit-identical to torchvision's on PIL images. {@link #FAST}: with the largest JPEG DCT scale
 * (1/2, 1/4 or 1/8, as libjpeg decodes straight to a fraction of the size) that keeps the
 * shorter side at or above the model's crop size; the same resize, crop and normalisation follow.
 * Decoding a 1280×720 frame at 1/2 touches a quarter of the pixels. PNGs are decoded the same way
 * in both modes.
 */
public enum PreprocessingMode {
  EXACT,
  FAST;

  /** The DCT scale denominator (1, 2, 4 or 8) to decode a {@code width}×{@code height} JPEG with. */
  public int jpegScale(Preprocessing spec, int width, int height) {
    if (this == EXACT) {
      return 1;
    }
    for (int scale = 8; scale > 1; scale /= 2) {
      if (Math.min(scaled(width, scale), scaled(height, scale)) >= spec.cropSize()) {
        return scale;
      }
    }
    return 1;
  }

  /** The scale {@code header}'s image is decoded at: {@link #jpegScale} for a JPEG, 1 for a PNG. */
  public int scale(Preprocessing spec, ImageHeaders.Header header) {
    return header.format().equals("jpeg") ? jpegScale(spec, header.width(), header.height()) : 1;
  }

  /** The pixels decoding {@code header}'s image gives, at its {@link #scale}. */
  public long decodedPixels(Preprocessing spec, ImageHeaders.Header header) {
    int scale = scale(spec, header);
    return (long) scaled(header.width(), scale) * scaled(header.height(), scale);
  }

  /** A side decoded at 1/{@code scale}: libjpeg rounds up. */
  public static int scaled(int side, int scale) {
    return (side + scale - 1) / scale;
  }

  /** As written in settings and in predictions: {@code exact} or {@code fast}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code exact} or {@code fast}. */
  public static PreprocessingMode of(String label) {
    for (PreprocessingMode mode : values()) {
      if (mode.label().equals(label)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("unknown preprocessing mode '" + label + "': use exact or fast");
  }
}
