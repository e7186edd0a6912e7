package io.visionstream.demo;

import io.visionstream.model.preprocess.ImageEncoding;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Camera frames of a generated street scene, encoded as real JPEGs: a sky gradient, sun, hills,
 * houses with lit windows, a car crossing the view frame by frame, and sensor noise. Each camera
 * (seed) sees a different scene.
 */
public final class SyntheticScenes {

  private SyntheticScenes() {}

  /** {@code count} consecutive frames of camera {@code seed}, {@code width}×{@code height}, JPEG quality 0..1. */
  public static List<byte[]> frames(long seed, int count, int width, int height, float quality) {
    Random scene = new Random(seed);
    Color sky = new Color(80 + scene.nextInt(80), 120 + scene.nextInt(80), 200 + scene.nextInt(55));
    Color ground = new Color(40 + scene.nextInt(60), 90 + scene.nextInt(80), 30 + scene.nextInt(50));
    Color car = new Color(scene.nextInt(256), scene.nextInt(256), scene.nextInt(256));
    int houses = 2 + scene.nextInt(4);
    long houseSeed = scene.nextLong();
    List<byte[]> frames = new ArrayList<>(count);
    for (int f = 0; f < count; f++) {
      BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = image.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(new GradientPaint(0, 0, sky.darker(), 0, height * 0.6f, sky.brighter()));
      g.fillRect(0, 0, width, height);
      g.setColor(new Color(255, 230, 120));
      g.fillOval(width * 3 / 4, height / 10, width / 10, width / 10);
      g.setColor(ground.darker());
      g.fillOval(-width / 4, height / 2, width, height);
      g.fillOval(width / 3, height * 5 / 9, width, height);
      g.setColor(ground);
      g.fillRect(0, height * 2 / 3, width, height / 3);
      Random layout = new Random(houseSeed);
      for (int h = 0; h < houses; h++) {
        int w = width / 8 + layout.nextInt(width / 8);
        int x = layout.nextInt(width - w);
        int top = height / 3 + layout.nextInt(height / 4);
        g.setColor(new Color(120 + layout.nextInt(100), 90 + layout.nextInt(100), 70 + layout.nextInt(80)));
        g.fillRect(x, top, w, height * 2 / 3 - top);
        g.setColor(new Color(250, 240, 160));
        for (int wx = x + w / 6; wx < x + w - w / 6; wx += w / 3) {
          g.fillRect(wx, top + (height * 2 / 3 - top) / 4, w / 8, w / 8);
        }
      }
      int carWidth = width / 5;
      int carX = (int) ((f / (double) count) * (width + carWidth)) - carWidth;
      int carY = height * 3 / 4;
      g.setColor(car);
      g.fillRoundRect(carX, carY, carWidth, height / 12, 12, 12);
      g.fillRoundRect(carX + carWidth / 5, carY - height / 18, carWidth * 3 / 5, height / 14, 10, 10);
      g.setColor(Color.DARK_GRAY);
      g.setStroke(new BasicStroke(3));
      g.fillOval(carX + carWidth / 8, carY + height / 16, height / 14, height / 14);
      g.fillOval(carX + carWidth * 5 / 8, carY + height / 16, height / 14, height / 14);
      g.dispose();
      addNoise(image, new Random(seed * 1_000 + f));
      frames.add(jpeg(image, quality));
    }
    return frames;
  }

  private static void addNoise(BufferedImage image, Random random) {
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y);
        int n = (int) (random.nextGaussian() * 5);
        int r = Math.max(0, Math.min(255, ((rgb >> 16) & 0xFF) + n));
        int gr = Math.max(0, Math.min(255, ((rgb >> 8) & 0xFF) + n));
        int b = Math.max(0, Math.min(255, (rgb & 0xFF) + n));
        image.setRGB(x, y, (r << 16) | (gr << 8) | b);
      }
    }
  }

  /** {@code image} as a baseline JPEG at quality 0..1 (ImageIO's encoder). */
  public static byte[] jpeg(BufferedImage image, float quality) {
    return ImageEncoding.jpeg(image, quality);
  }
}
