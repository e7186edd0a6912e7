package io.visionstream.model.preprocess;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Encoded test images made with the JDK's ImageIO. */
public final class TestImages {

  private TestImages() {}

  public static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code image} as a progressive JPEG (the JDK writes 4:2:0: luma at full size, chroma at half). */
  public static byte[] progressiveJpeg(BufferedImage image) {
    return ImageEncoding.jpeg(image, 0.75f, true);
  }

  /** Random ellipses on a coloured background. */
  public static BufferedImage scene(int width, int height, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(random.nextInt(0xFFFFFF)));
    g.fillRect(0, 0, width, height);
    for (int i = 0; i < 12; i++) {
      g.setColor(new Color(random.nextInt(0xFFFFFF)));
      g.fillOval(random.nextInt(width), random.nextInt(height), 1 + random.nextInt(width), 1 + random.nextInt(height));
    }
    g.dispose();
    return image;
  }

  public static BufferedImage solid(int width, int height, Color color) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return image;
  }

  /** A valid small PNG whose header (with a correct CRC) claims {@code width}×{@code height}. */
  public static byte[] pngClaiming(int width, int height) {
    byte[] png = encode(solid(2, 2, Color.GRAY), "png");
    byte[] bomb = Arrays.copyOf(png, png.length);
    ByteBuffer.wrap(bomb, 16, 8).putInt(width).putInt(height);
    CRC32 crc = new CRC32();
    crc.update(bomb, 12, 17);
    ByteBuffer.wrap(bomb, 29, 4).putInt((int) crc.getValue());
    return bomb;
  }
}
