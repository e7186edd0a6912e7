package io.visionstream.model.preprocess;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads an image's format and dimensions from its header without decoding the pixels (the JDK's
 * ImageIO readers stop after the header), so that decompression bombs are rejected before any
 * pixel buffer is allocated.
 */
public final class ImageHeaders {

  /** Format and dimensions declared by the header. */
  public record Header(String format, int width, int height) {
    public long pixels() {
      return (long) width * height;
    }
  }

  private ImageHeaders() {}

  /**
   * The header of a JPEG or PNG image that declares at most {@code maxPixels} pixels.
   *
   * @throws ImageRejectedException if the bytes are not a JPEG or PNG, or declare more pixels
   */
  public static Header check(byte[] image, long maxPixels) throws ImageRejectedException {
    Header header = read(image);
    if (header.pixels() > maxPixels) {
      throw new ImageRejectedException(ImageRejectedException.Reason.TOO_MANY_PIXELS, header.format() + " header declares "
          + header.width() + "×" + header.height() + " = " + header.pixels() + " pixels, more than the limit of " + maxPixels);
    }
    return header;
  }

  static Header read(byte[] image) throws ImageRejectedException {
    return read(image, 0, image.length);
  }

  /**
   * The format and dimensions declared by the JPEG or PNG image in {@code data[offset, offset + length)}.
   *
   * @throws ImageRejectedException if the bytes are not a JPEG or PNG, or the header is unreadable
   */
  public static Header read(byte[] data, int offset, int length) throws ImageRejectedException {
    byte[] start = java.util.Arrays.copyOfRange(data, offset, offset + Math.min(length, 8));
    String format = sniff(start);
    if (format == null) {
      throw new ImageRejectedException(ImageRejectedException.Reason.UNSUPPORTED_FORMAT, "not a JPEG or PNG image ("
          + length + " bytes, starting " + hexPrefix(start) + ")");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data, offset, length))) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new Header(format, reader.getWidth(0), reader.getHeight(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE, format + " header is unreadable ("
          + length + " bytes): " + e.getMessage());
    }
  }

  /** {@code jpeg} or {@code png} by magic number, else {@code null}. */
  static String sniff(byte[] image) {
    if (image.length >= 3 && (image[0] & 0xFF) == 0xFF && (image[1] & 0xFF) == 0xD8 && (image[2] & 0xFF) == 0xFF) {
      return "jpeg";
    }
    if (image.length >= 8 && (image[0] & 0xFF) == 0x89 && image[1] == 'P' && image[2] == 'N' && image[3] == 'G'
        && image[4] == 0x0D && image[5] == 0x0A && image[6] == 0x1A && image[7] == 0x0A) {
      return "png";
    }
    return null;
  }

  private static String hexPrefix(byte[] image) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, image.length); i++) {
      hex.append(String.format(Locale.ROOT, "%02X ", image[i]));
    }
    return image.length == 0 ? "empty" : hex.toString().strip();
  }
}
