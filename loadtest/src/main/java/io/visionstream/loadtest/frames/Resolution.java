package io.visionstream.loadtest.frames;

import java.util.Locale;

/** A frame size in pixels, written {@code WIDTHxHEIGHT}. */
public record Resolution(int width, int height) {

  public Resolution {
    if (width < 1 || height < 1 || (long) width * height > 64L * 1024 * 1024) {
      throw new IllegalArgumentException("resolution " + width + "x" + height + " is out of range (1x1 .. 64 megapixels)");
    }
  }

  /** Parses {@code 640x480}. */
  public static Resolution parse(String text) {
    String[] parts = text.strip().toLowerCase(Locale.ROOT).split("x");
    try {
      if (parts.length == 2) {
        return new Resolution(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("'" + text + "' is not a resolution; expected WIDTHxHEIGHT, e.g. 1280x720");
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
