package io.visionstream.loadtest.cli;

import io.visionstream.demo.DefaultModel;

import io.visionstream.model.train.FashionMnist;
import io.visionstream.model.train.FashionMnistModel;
import io.visionstream.model.train.LabelledImages;
import java.io.IOException;
import java.nio.file.Files;
import io.visionstream.loadtest.frames.FramePool;
import io.visionstream.loadtest.frames.ResolutionMix;
import io.visionstream.loadtest.generate.LoadPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The simulated camera fleet and its frames. */
public final class LoadOptions {

  @Option(names = "--cameras", defaultValue = "8", description = "Simulated cameras (default: ${DEFAULT-VALUE}).")
  int cameras;

  @ArgGroup(exclusive = true)
  RateGroup rate = new RateGroup();

  static final class RateGroup {
    @Option(names = "--fps", paramLabel = "FRAMES/S", description = "Frames per second per camera (default: 2).")
    Double fps;

    @Option(names = "--rate", paramLabel = "FRAMES/S", description = "Total frames per second, shared by the cameras.")
    Double total;
  }

  @Option(names = "--resolutions", defaultValue = "640x480=2,1280x720=1,1920x1080=1", paramLabel = "WxH[=WEIGHT],...",
      description = "Frame sizes and the share of cameras sending each (default: ${DEFAULT-VALUE}).")
  String resolutions;

  @Option(names = "--jpeg-quality", defaultValue = "0.85", description = "JPEG quality, 0..1 (default: ${DEFAULT-VALUE}).")
  float jpegQuality;

  @Option(names = "--pool-size", defaultValue = "24", description = "Pre-encoded frames per resolution (default: ${DEFAULT-VALUE}).")
  int poolSize;

  @Option(names = "--photos", paramLabel = "DIR",
      description = "Directory of photographs (PNG/JPEG) mixed into the frames, e.g. python3-skimage's skimage/data.")
  Path photos;

  @Option(names = "--fashion-mnist", description = "Send Fashion-MNIST test images (28x28 grayscale PNG uploads: the 10,000 of "
      + "Debian's dataset-fashion-mnist when installed, else the 500 shipped with the model library) instead of camera "
      + "frames; the local stack then serves the Fashion-MNIST model trained by this project.")
  boolean fashionMnist;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated frames (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to send (default: ${DEFAULT-VALUE}); ignored with --count.")
  Duration duration;

  @Option(names = "--count", defaultValue = "0", description = "Send this many events instead of sending for --duration.")
  long count;

  @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
      description = "Start of the run kept out of the latency and throughput figures (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--drain-timeout", defaultValue = "60s", converter = DurationConverter.class,
      description = "After sending, how long to wait for outstanding outcomes before counting them missing (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(names = "--report-dir", paramLabel = "DIR",
      description = "Where report.json and report.html go (default: .local/loadtest/<date-time>).")
  Path reportDir;

  @Option(names = "--progress", defaultValue = "auto", description = "Live progress bar: auto (on a terminal), always or never (default: ${DEFAULT-VALUE}).")
  String progress;

  public double totalRate() {
    if (rate.total != null) {
      return rate.total;
    }
    return cameras * (rate.fps != null ? rate.fps : 2.0);
  }

  public LoadPlan plan() {
    ResolutionMix mix = ResolutionMix.parse(fashionMnist ? FashionMnist.SIZE + "x" + FashionMnist.SIZE : resolutions);
    return new LoadPlan(cameras, totalRate(), mix, duration, count, warmup);
  }

  /** Encodes the frames of {@code plan}'s resolutions. */
  public FramePool pool(LoadPlan plan, PrintWriter out) throws IOException {
    if (fashionMnist) {
      LabelledImages images = Files.isDirectory(FashionMnist.DEBIAN_DIR)
          ? FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST) : FashionMnistModel.testSample();
      out.printf("encoding %d %s images as PNG ...%n", images.count(), images.name());
      return FramePool.dataset(images, images.count());
    }
    ResolutionMix mix = plan.mix();
    out.printf("encoding %d frames per resolution (%s, JPEG quality %.2f%s) ...%n", poolSize, mix.resolutions(), jpegQuality,
        photos == null ? "" : ", photographs from " + photos);
    return FramePool.build(mix, poolSize, jpegQuality, photos, seed);
  }

  public boolean fashionMnist() {
    return fashionMnist;
  }

  public Path reportDir() {
    return reportDir != null ? reportDir
        : DefaultModel.home().resolve(Path.of(".local", "loadtest",
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT))));
  }

  public boolean showProgress() {
    return switch (progress.toLowerCase(Locale.ROOT)) {
      case "always" -> true;
      case "never" -> false;
      case "auto" -> System.console() != null;
      default -> throw new IllegalArgumentException("--progress must be auto, always or never, got " + progress);
    };
  }

  public Duration drainTimeout() {
    return drainTimeout;
  }

  public float jpegQuality() {
    return jpegQuality;
  }

  public String photos() {
    return photos == null ? null : photos.toString();
  }
}
