package io.visionstream.schemas.serde;

import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.imageio.ImageIO;

/** Records and real encoded images for serde tests. */
final class TestRecords {

  private TestRecords() {}

  static ImageEvent imageEvent(Random random, byte[] image, ContentType type) {
    return ImageEvent.newBuilder()
        .setEventId(new UUID(random.nextLong(), random.nextLong()))
        .setSourceId("camera-" + random.nextInt(8))
        .setCapturedAt(Instant.ofEpochMilli(1_790_000_000_000L + random.nextInt(1_000_000)))
        .setContentType(type)
        .setImage(ByteBuffer.wrap(image))
        .setAttributes(Map.of("resolution", "64x48", "site", "dock-" + random.nextInt(3)))
        .build();
  }

  static Prediction prediction(ImageEvent event) {
    return Prediction.newBuilder()
        .setEventId(event.getEventId())
        .setSourceId(event.getSourceId())
        .setCapturedAt(event.getCapturedAt())
        .setModel(new ModelRef("resnet50", "seed-42", null))
        .setStatus(PredictionStatus.CLASSIFIED)
        .setTopK(List.of(new ClassScore(281, "tabby", 0.61f), new ClassScore(285, "Egyptian cat", 0.2f)))
        .setBatchSize(16)
        .setInferenceMicros(412_345L)
        .setProcessedAt(event.getCapturedAt().plusMillis(87))
        .build();
  }

  /** A JPEG of a synthetic scene: gradient sky, ground, a few shapes and sensor noise. */
  static byte[] jpeg(Random random, int width, int height) {
    return encode(scene(random, width, height), "jpg");
  }

  static byte[] png(Random random, int width, int height) {
    return encode(scene(random, width, height), "png");
  }

  private static BufferedImage scene(Random random, int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new GradientPaint(0, 0, new Color(random.nextInt(0xFFFFFF)), 0, height / 2f, new Color(random.nextInt(0xFFFFFF))));
    g.fillRect(0, 0, width, height);
    g.setColor(new Color(random.nextInt(0xFFFFFF)));
    g.fillRect(0, height * 2 / 3, width, height / 3);
    for (int i = 0; i < 4; i++) {
      g.setColor(new Color(random.nextInt(0xFFFFFF)));
      int w = 4 + random.nextInt(Math.max(1, width / 3));
      int h = 4 + random.nextInt(Math.max(1, height / 3));
      if (random.nextBoolean()) {
        g.fillOval(random.nextInt(width), random.nextInt(height), w, h);
      } else {
        g.fillRect(random.nextInt(width), random.nextInt(height), w, h);
      }
    }
    g.dispose();
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int noise = (int) (random.nextGaussian() * 6);
        int rgb = image.getRGB(x, y);
        int r = clamp(((rgb >> 16) & 0xFF) + noise);
        int gr = clamp(((rgb >> 8) & 0xFF) + noise);
        int b = clamp((rgb & 0xFF) + noise);
        image.setRGB(x, y, (r << 16) | (gr << 8) | b);
      }
    }
    return image;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
