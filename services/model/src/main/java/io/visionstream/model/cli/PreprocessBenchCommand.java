package io.visionstream.model.cli;

import com.sun.management.OperatingSystemMXBean;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.preprocess.PreprocessingMode;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "preprocess-bench", mixinStandardHelpOptions = true,
    description = {"CPU and wall time to turn one camera frame (a JPEG) into a model input, in exact and fast mode: "
        + "photographs scaled to each resolution and encoded as JPEGs, preprocessed in groups as the classifier's decode "
        + "stage does, on one thread. CPU is the process's (TensorFlow's threads included) per frame."})
final class PreprocessBenchCommand implements Callable<Integer> {

  /** Photographs among python3-skimage's data (the ones the torchvision reference uses). */
  static final List<String> SKIMAGE_PHOTOS = List.of("astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png",
      "rocket.jpg", "hubble_deep_field.jpg", "retina.jpg", "camera.png", "coins.png", "ihc.png");

  @Option(names = "--photos", defaultValue = "/usr/lib/python3/dist-packages/skimage/data",
      description = "Directory with the photographs (default: ${DEFAULT-VALUE}, Debian's python3-skimage).")
  Path photos;

  @Mixin
  CameraFrameOptions camera;

  @Option(names = "--frames", defaultValue = "240", description = "Frames timed per resolution and mode (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--group", defaultValue = "8", description = "Frames per preprocessing call, as decode-batch-size (default: ${DEFAULT-VALUE}).")
  int group;

  @Option(names = "--intra-op-threads", defaultValue = "0",
      description = "TensorFlow threads of the preprocessing session (default: ${DEFAULT-VALUE}, TensorFlow's default, as the "
          + "classifier runs it unless model.intra-op-threads is set).")
  int intraOpThreads;


  @Override
  public Integer call() throws Exception {
    List<BufferedImage> sources = new ArrayList<>();
    for (String name : SKIMAGE_PHOTOS) {
      Path file = photos.resolve(name);
      if (Files.exists(file)) {
        sources.add(ImageIO.read(file.toFile()));
      }
    }
    if (sources.isEmpty()) {
      System.err.println("no photographs in " + photos + " (install python3-skimage, or pass --photos)");
      return 2;
    }
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    SessionSettings session = SessionSettings.DEFAULT.withThreads(intraOpThreads, 0);
    System.out.printf("%d photographs, JPEG quality %.2f, groups of %d, %d frames per row, TensorFlow intra-op threads %d%n",
        sources.size(), camera.quality, group, frames, intraOpThreads);
    System.out.println("resolution  mode   scale  CPU ms/frame  wall ms/frame  frames/s per core");
    for (String resolution : camera.resolutions) {
      int width = CameraFrameOptions.size(resolution)[0];
      int height = CameraFrameOptions.size(resolution)[1];
      List<byte[]> jpegs = new ArrayList<>();
      for (BufferedImage source : sources) {
        jpegs.add(camera.frame(source, width, height));
      }
      for (PreprocessingMode mode : PreprocessingMode.values()) {
        try (ImagePreprocessor preprocessor = new ImagePreprocessor(Preprocessing.TORCHVISION, mode, group, 100_000_000L,
            session)) {
          run(preprocessor, jpegs, group * 4); // warm-up
          long cpu = os.getProcessCpuTime();
          long wall = System.nanoTime();
          run(preprocessor, jpegs, frames);
          double cpuMs = (os.getProcessCpuTime() - cpu) / 1e6 / frames;
          double wallMs = (System.nanoTime() - wall) / 1e6 / frames;
          System.out.printf("%-10s  %-5s  1/%-4d %12.2f  %13.2f  %17.0f%n", resolution, mode.label(),
              mode.jpegScale(Preprocessing.TORCHVISION, width, height), cpuMs, wallMs, 1000 / cpuMs);
        }
      }
    }
    return 0;
  }

  private void run(ImagePreprocessor preprocessor, List<byte[]> jpegs, int count) {
    for (int done = 0; done < count; done += group) {
      List<byte[]> batch = new ArrayList<>();
      for (int i = done; i < Math.min(count, done + group); i++) {
        batch.add(jpegs.get(i % jpegs.size()));
      }
      try (PreprocessedBatch ignored = preprocessor.run(batch)) {
        // timed
      }
    }
  }
}
