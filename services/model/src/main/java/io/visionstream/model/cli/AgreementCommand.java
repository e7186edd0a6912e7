package io.visionstream.model.cli;

import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.ClassScores;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.train.FashionMnist;
import io.visionstream.model.train.LabelledImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "agreement", mixinStandardHelpOptions = true,
    description = {"What the fast preprocessing mode (JPEGs decoded at a DCT scale) costs: each image is scaled to each "
        + "camera resolution, encoded as a JPEG, preprocessed in exact and in fast mode and classified; prints the top-1 and "
        + "top-5 agreement of fast with exact, the accuracy of both when the images are labelled, and how far the model "
        + "inputs differ.",
        "Images: Fashion-MNIST's test split (--dataset, labelled) or the photographs in --photos (PNG or JPEG files)."})
final class AgreementCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  SessionOptions session;

  @Option(names = "--photos", description = "A directory of photographs to use instead of Fashion-MNIST.")
  Path photos;

  @Option(names = "--dataset", defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Fashion-MNIST's IDX files (default: ${DEFAULT-VALUE}).")
  Path dataset;

  @Option(names = "--limit", defaultValue = "2000", description = "Images used (default: ${DEFAULT-VALUE}).")
  int limit;

  @Mixin
  CameraFrameOptions camera;

  @Option(names = "--batch-size", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  /** An image to scale, and its label (-1: none). */
  private record Source(BufferedImage image, int label) {}

  @Override
  public Integer call() throws Exception {
    List<Source> sources = photos != null ? photos() : fashionMnist();
    try (ClassifierModel classifier = ClassifierModel.load(model.dir, session.settings(), model.options());
        ImagePreprocessor exact = new ImagePreprocessor(classifier.preprocessing(), PreprocessingMode.EXACT, batchSize,
            100_000_000L, session.settings());
        ImagePreprocessor fast = new ImagePreprocessor(classifier.preprocessing(), PreprocessingMode.FAST, batchSize,
            100_000_000L, session.settings())) {
      BatchRunner runner = new BatchRunner(classifier);
      System.out.printf("%s on %d %s, JPEG quality %.2f%n", classifier.name() + " " + classifier.version(), sources.size(),
          photos != null ? "photographs from " + photos : "Fashion-MNIST test images", camera.quality);
      System.out.println("resolution  scale  top-1 agree  top-5 agree  accuracy exact  accuracy fast  input |Δ| mean  max");
      for (String resolution : camera.resolutions) {
        int width = CameraFrameOptions.size(resolution)[0];
        int height = CameraFrameOptions.size(resolution)[1];
        int scale = PreprocessingMode.FAST.jpegScale(classifier.preprocessing(), width, height);
        Tally tally = new Tally();
        for (int start = 0; start < sources.size(); start += batchSize) {
          List<Source> batch = sources.subList(start, Math.min(sources.size(), start + batchSize));
          List<byte[]> jpegs = new ArrayList<>();
          for (Source source : batch) {
            jpegs.add(camera.frame(source.image(), width, height));
          }
          try (PreprocessedBatch a = exact.run(jpegs); PreprocessedBatch b = fast.run(jpegs)) {
            tally.inputs(a, b);
            float[][] pa = runner.run(a.tensor(), false).probabilities();
            float[][] pb = runner.run(b.tensor(), false).probabilities();
            for (int i = 0; i < batch.size(); i++) {
              tally.add(pa[i], pb[i], batch.get(i).label(), classifier.labels());
            }
          }
        }
        System.out.printf("%-10s  1/%-4d %10.2f%%  %10.2f%%  %13s  %13s  %12.4f  %.3f%n", resolution, scale,
            100.0 * tally.top1 / tally.n, 100.0 * tally.top5 / tally.n, tally.accuracy(tally.correctExact),
            tally.accuracy(tally.correctFast), tally.absSum / tally.values, tally.absMax);
      }
    }
    return 0;
  }

  /** Counts over one resolution. */
  private static final class Tally {
    int n;
    int top1;
    int top5;
    int labelled;
    int correctExact;
    int correctFast;
    double absSum;
    long values;
    double absMax;

    void inputs(PreprocessedBatch a, PreprocessedBatch b) {
      float[] x = new float[(int) a.tensor().size()];
      float[] y = new float[(int) b.tensor().size()];
      a.tensor().asRawTensor().data().asFloats().read(x);
      b.tensor().asRawTensor().data().asFloats().read(y);
      for (int i = 0; i < x.length; i++) {
        double d = Math.abs(x[i] - y[i]);
        absSum += d;
        absMax = Math.max(absMax, d);
      }
      values += x.length;
    }

    void add(float[] exact, float[] fast, int label, List<String> labels) {
      n++;
      List<ClassScores> topExact = ClassScores.top(exact, Math.min(5, exact.length), labels);
      int fastTop1 = ClassScores.top(fast, 1, labels).get(0).index();
      if (fastTop1 == topExact.get(0).index()) {
        top1++;
      }
      if (topExact.stream().anyMatch(c -> c.index() == fastTop1)) {
        top5++;
      }
      if (label >= 0) {
        labelled++;
        correctExact += topExact.get(0).index() == label ? 1 : 0;
        correctFast += fastTop1 == label ? 1 : 0;
      }
    }

    String accuracy(int correct) {
      return labelled == 0 ? "-" : String.format("%.2f%%", 100.0 * correct / labelled);
    }
  }

  private List<Source> fashionMnist() throws IOException {
    LabelledImages images = FashionMnist.load(dataset, FashionMnist.Split.TEST).first(limit);
    List<Source> sources = new ArrayList<>();
    int h = images.height();
    int w = images.width();
    for (int i = 0; i < images.count(); i++) {
      BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int v = images.pixels()[i * h * w + y * w + x] & 0xff;
          image.setRGB(x, y, v << 16 | v << 8 | v);
        }
      }
      sources.add(new Source(image, images.labels()[i]));
    }
    return sources;
  }

  private List<Source> photos() throws IOException {
    List<Source> sources = new ArrayList<>();
    try (Stream<Path> files = Files.list(photos)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg")) {
          BufferedImage image = ImageIO.read(file.toFile());
          if (image != null && sources.size() < limit) {
            sources.add(new Source(image, -1));
          }
        }
      }
    }
    return sources;
  }
}
