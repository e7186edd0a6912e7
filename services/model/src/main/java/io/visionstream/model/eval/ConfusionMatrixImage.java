package io.visionstream.model.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a confusion matrix as a PNG: one cell per (true, predicted) pair holding its count, shaded by
 * the share of the true class's images it holds, with class names on both axes.
 */
public final class ConfusionMatrixImage {

  private static final int CELL = 64;

  private ConfusionMatrixImage() {}

  public static void write(Evaluation evaluation, String title, Path file) throws IOException {
    int n = evaluation.classes().size();
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    FontMetrics fm = pg.getFontMetrics(font);
    int label = evaluation.classes().stream().mapToInt(fm::stringWidth).max().orElse(0) + 16;
    pg.dispose();
    int top = 40 + label;
    int left = label + 30;
    BufferedImage image = new BufferedImage(left + n * CELL + 20, top + n * CELL + 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setFont(font.deriveFont(Font.BOLD, 15f));
    g.setColor(Color.BLACK);
    g.drawString(title, 10, 22);
    g.setFont(font);
    for (int a = 0; a < n; a++) {
      long support = evaluation.support(a);
      for (int p = 0; p < n; p++) {
        long count = evaluation.count(a, p);
        double share = support == 0 ? 0 : count / (double) support;
        Color fill = a == p ? blend(new Color(0x2e7d32), share) : blend(new Color(0xc62828), Math.min(1, share * 4));
        int x = left + p * CELL;
        int y = top + a * CELL;
        g.setColor(fill);
        g.fillRect(x, y, CELL, CELL);
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(x, y, CELL, CELL);
        String text = Long.toString(count);
        g.setColor(share > 0.5 && a == p ? Color.WHITE : Color.BLACK);
        g.drawString(text, x + (CELL - g.getFontMetrics().stringWidth(text)) / 2, y + CELL / 2 + 5);
      }
      g.setColor(Color.BLACK);
      String name = evaluation.classes().get(a);
      g.drawString(name, left - 8 - g.getFontMetrics().stringWidth(name), top + a * CELL + CELL / 2 + 5);
    }
    AffineTransform straight = g.getTransform();
    for (int p = 0; p < n; p++) {
      g.setTransform(straight);
      g.translate(left + p * CELL + CELL / 2 + 5, top - 8);
      g.rotate(-Math.PI / 2);
      g.drawString(evaluation.classes().get(p), 0, 0);
    }
    g.setTransform(straight);
    g.setStroke(new BasicStroke(1));
    g.drawString("predicted →", left, top + n * CELL + 20);
    g.drawString(String.format(Locale.ROOT, "accuracy %.4f of %d · rows: true class", evaluation.accuracy(), evaluation.total()),
        left + 110, top + n * CELL + 20);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static Color blend(Color full, double share) {
    double s = Math.max(0, Math.min(1, share));
    return new Color((int) Math.round(255 + (full.getRed() - 255) * s), (int) Math.round(255 + (full.getGreen() - 255) * s),
        (int) Math.round(255 + (full.getBlue() - 255) * s));
  }
}
