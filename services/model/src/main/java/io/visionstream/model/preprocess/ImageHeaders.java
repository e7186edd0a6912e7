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

  /**
   * The bytes a progressive JPEG's DCT coefficients take while it is decoded: libjpeg holds every
   * block of the whole image (8×8, 2 bytes per coefficient, rounded up to whole MCUs as the frame
   * header's sampling factors give them), at full size whatever scale it decodes to. 0 for a
   * baseline JPEG, decoded a row of blocks at a time, and for a PNG. A JPEG header that cannot be
   * walked is charged as progressive with three full-size components, the most it could take.
   *
   * @param header what {@link #read} returned for the same bytes
   */
  public static long coefficientBytes(byte[] data, int offset, int length, Header header) {
    if (!header.format().equals("jpeg")) {
      return 0;
    }
    int end = offset + length;
    int i = offset + 2;
    while (i + 4 <= end) {
      if ((data[i] & 0xFF) != 0xFF) {
        break;
      }
      int marker = data[i + 1] & 0xFF;
      if (marker == 0xFF) {
        i++;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
        i += 2;
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        break;
      }
      int segment = ((data[i + 2] & 0xFF) << 8) | (data[i + 3] & 0xFF);
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
        return (marker & 0x03) == 0x02 ? progressiveBytes(data, i + 4, Math.min(end, i + 2 + segment), header) : 0;
      }
      i += 2 + segment;
    }
    return mostBytes(header);
  }

  /** Three full-size components: the most a progressive JPEG of this size can hold. */
  private static long mostBytes(Header header) {
    return 3 * ceilDiv(header.width(), 8) * ceilDiv(header.height(), 8) * 64 * 2;
  }

  /** Coefficient bytes of the frame whose SOF payload is {@code data[from, to)}. */
  private static long progressiveBytes(byte[] data, int from, int to, Header header) {
    int components = from + 5 < to ? data[from + 5] & 0xFF : 0;
    if (components == 0 || from + 6 + 3 * components > to) {
      return mostBytes(header);
    }
    int maxH = 1;
    int maxV = 1;
    for (int c = 0; c < components; c++) {
      int hv = data[from + 7 + 3 * c] & 0xFF;
      maxH = Math.max(maxH, hv >> 4);
      maxV = Math.max(maxV, hv & 0x0F);
    }
    long bytes = 0;
    for (int c = 0; c < components; c++) {
      int hv = data[from + 7 + 3 * c] & 0xFF;
      int h = Math.max(1, hv >> 4);
      int v = Math.max(1, hv & 0x0F);
      bytes += roundUp(ceilDiv((long) header.width() * h, 8L * maxH), h)
          * roundUp(ceilDiv((long) header.height() * v, 8L * maxV), v) * 64 * 2;
    }
    return bytes;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static long roundUp(long a, long multiple) {
    return ceilDiv(a, multiple) * multiple;
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
