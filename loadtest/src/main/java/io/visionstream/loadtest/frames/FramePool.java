package io.visionstream.loadtest.frames;

import io.visionstream.model.train.LabelledImages;
import io.visionstream.schemas.ContentType;
import io.visionstream.demo.SyntheticScenes;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Real JPEG frames, encoded before the run so that encoding never limits the send rate. Each
 * resolution gets its own pool, cycling through three kinds of content: generated street scenes
 * (a car crossing the view), noise of increasing strength over a gradient, and photographs from a
 * directory (cropped and scaled to the frame size), when one is given.
 */
public final class FramePool {

  /** What a frame shows; reported per frame kind in the load test settings. */
  public enum Kind { SCENE, NOISE, PHOTO, FASHION_MNIST }

  /** One pre-encoded frame: a JPEG, or a PNG for dataset images. */
  public record Frame(Kind kind, Resolution resolution, byte[] image, ContentType contentType) {}

  private static final int[] NOISE_SIGMAS = {3, 8, 16};

  private final Map<Resolution, List<Frame>> frames;

  private FramePool(Map<Resolution, List<Frame>> frames) {
    this.frames = frames;
  }

  /**
   * Encodes {@code perResolution} frames for each resolution of {@code mix}.
   *
   * @param quality JPEG quality 0..1
   * @param photos directory of PNG/JPEG photographs, or null for generated content only
   */
  public static FramePool build(ResolutionMix mix, int perResolution, float quality, Path photos, long seed) {
    if (perResolution < 1) {
      throw new IllegalArgumentException("the frame pool needs at least 1 frame per resolution, got " + perResolution);
    }
    if (!(quality > 0 && quality <= 1)) {
      throw new IllegalArgumentException("JPEG quality must be in (0, 1], got " + quality);
    }
    List<BufferedImage> photographs = photos == null ? List.of() : readPhotos(photos);
    Map<Resolution, List<Frame>> pool = new LinkedHashMap<>();
    for (Resolution r : mix.resolutions()) {
      List<Kind> kinds = new ArrayList<>(List.of(Kind.SCENE, Kind.NOISE));
      if (!photographs.isEmpty()) {
        kinds.add(Kind.PHOTO);
      }
      int scenes = (int) Math.ceil(perResolution / (double) kinds.size());
      List<byte[]> sceneFrames = SyntheticScenes.frames(seed + r.width(), scenes, r.width(), r.height(), quality);
      Random random = new Random(seed ^ r.hashCode());
      List<Frame> list = new ArrayList<>(perResolution);
      for (int i = 0; i < perResolution; i++) {
        Kind kind = kinds.get(i % kinds.size());
        byte[] jpeg = switch (kind) {
          case SCENE -> sceneFrames.get(i / kinds.size());
          case NOISE -> SyntheticScenes.jpeg(noise(r, NOISE_SIGMAS[(i / kinds.size()) % NOISE_SIGMAS.length], random), quality);
          case PHOTO -> SyntheticScenes.jpeg(fit(photographs.get((i / kinds.size()) % photographs.size()), r), quality);
          case FASHION_MNIST -> throw new IllegalStateException("dataset images come from FramePool.dataset");
        };
        list.add(new Frame(kind, r, jpeg, ContentType.JPEG));
      }
      pool.put(r, List.copyOf(list));
    }
    return new FramePool(pool);
  }

  /**
   * Labelled dataset images as upload services send them: 8-bit grayscale PNGs at their own size,
   * the first {@code count} of {@code images}.
   */
  public static FramePool dataset(LabelledImages images, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("the frame pool needs at least 1 image, got " + count);
    }
    Resolution r = new Resolution(images.width(), images.height());
    List<Frame> list = new ArrayList<>();
    for (int i = 0; i < Math.min(count, images.count()); i++) {
      list.add(new Frame(Kind.FASHION_MNIST, r, images.png(i), ContentType.PNG));
    }
    return new FramePool(Map.of(r, List.copyOf(list)));
  }

  /** Frame {@code index} (wrapping) of {@code resolution}'s pool. */
  public Frame frame(Resolution resolution, long index) {
    List<Frame> list = frames.get(resolution);
    if (list == null) {
      throw new IllegalArgumentException("no frames of " + resolution + " in the pool");
    }
    return list.get((int) Math.floorMod(index, (long) list.size()));
  }

  public List<Frame> frames(Resolution resolution) {
    return frames.get(resolution);
  }

  /** The largest encoded frame. */
  public Frame largest() {
    return frames.values().stream().flatMap(List::stream).max((a, b) -> Integer.compare(a.image().length, b.image().length))
        .orElseThrow();
  }

  /** Mean encoded size of {@code resolution}'s frames, bytes. */
  public double meanBytes(Resolution resolution) {
    return frames.get(resolution).stream().mapToInt(f -> f.image().length).average().orElse(0);
  }

  private static BufferedImage noise(Resolution r, int sigma, Random random) {
    BufferedImage image = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_INT_RGB);
    int[] base = {random.nextInt(200), random.nextInt(200), random.nextInt(200)};
    int[] row = new int[r.width()];
    for (int y = 0; y < r.height(); y++) {
      for (int x = 0; x < r.width(); x++) {
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
          double gradient = base[c] + 55.0 * (c == 0 ? x / (double) r.width() : c == 1 ? y / (double) r.height() : 0.5);
          int v = (int) Math.round(gradient + random.nextGaussian() * sigma);
          rgb = (rgb << 8) | Math.max(0, Math.min(255, v));
        }
        row[x] = rgb;
      }
      image.setRGB(0, y, r.width(), 1, row, 0, r.width());
    }
    return image;
  }

  /** Scales {@code photo} to cover {@code r} and crops the centre. */
  private static BufferedImage fit(BufferedImage photo, Resolution r) {
    double scale = Math.max(r.width() / (double) photo.getWidth(), r.height() / (double) photo.getHeight());
    int w = (int) Math.ceil(photo.getWidth() * scale);
    int h = (int) Math.ceil(photo.getHeight() * scale);
    BufferedImage out = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.drawImage(photo, (r.width() - w) / 2, (r.height() - h) / 2, w, h, null);
    g.dispose();
    return out;
  }

  private static List<BufferedImage> readPhotos(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("photo directory " + dir + " does not exist");
    }
    List<BufferedImage> photos = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"))) {
          continue;
        }
        BufferedImage image = ImageIO.read(file.toFile());
        // colour photographs of at least 256 px on the short side; masks and tiny test images are skipped
        if (image != null && Math.min(image.getWidth(), image.getHeight()) >= 256 && image.getColorModel().getNumColorComponents() == 3) {
          photos.add(image);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read photographs from " + dir, e);
    }
    if (photos.isEmpty()) {
      throw new IllegalArgumentException("photo directory " + dir + " holds no colour PNG or JPEG of at least 256 px");
    }
    return photos;
  }
}
