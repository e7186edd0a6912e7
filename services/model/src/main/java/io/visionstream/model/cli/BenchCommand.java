package io.visionstream.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.Stem;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.ModelMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measures model throughput (images/s) by batch size and precision: warm-up runs, then the median of repeats.")
final class BenchCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  SessionOptions session;

  @Option(names = "--batch-sizes", split = ",", defaultValue = "1,2,4,8,16,32", description = "Default: ${DEFAULT-VALUE}.")
  List<Integer> batchSizes;

  @Option(names = "--precisions", split = ",", defaultValue = "fp32,bf16", description = "fp32 and/or bf16 (default: ${DEFAULT-VALUE}).")
  List<String> precisions;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs per batch size (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--repeats", defaultValue = "5", description = "Timed repeats; the median is reported (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--images-per-repeat", defaultValue = "32", description = "Minimum images per timed repeat (default: ${DEFAULT-VALUE}).")
  int imagesPerRepeat;

  @Option(names = "--roofline", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Measure this machine's fp32 matrix-multiply peak and compare (default: on).")
  boolean roofline;

  @Option(names = "--json", description = "Also write the results to this file.")
  Path jsonFile;

  /** One measurement: images/s median and range over repeats. */
  record Result(String precision, int batchSize, double imagesPerSecond, double min, double max, int repeats) {}

  @Override
  public Integer call() throws Exception {
    List<Result> results = new ArrayList<>();
    for (String precision : precisions) {
      if (!precision.equals("fp32") && !precision.equals("bf16")) {
        throw new IllegalArgumentException("unknown precision '" + precision + "': use fp32 or bf16");
      }
      SessionSettings settings = session.settings().withCpuBf16(precision.equals("bf16"));
      try (ClassifierModel classifier = ClassifierModel.load(model.dir, settings, model.options())) {
        BatchRunner runner = new BatchRunner(classifier);
        for (int batchSize : batchSizes) {
          Result result = measure(runner, precision, batchSize);
          results.add(result);
          System.out.printf("%-5s batch %3d: %7.2f images/s (range %.2f–%.2f over %d repeats)%n", precision, batchSize,
              result.imagesPerSecond(), result.min(), result.max(), repeats);
        }
      }
    }
    Result best = results.stream().max((a, b) -> Double.compare(a.imagesPerSecond(), b.imagesPerSecond())).orElseThrow();
    System.out.printf("best: %s batch %d, %.2f images/s%n", best.precision(), best.batchSize(), best.imagesPerSecond());
    if (roofline) {
      printRoofline(results);
    }
    if (jsonFile != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), results);
    }
    return 0;
  }

  /**
   * fp32 roofline: the best fp32 matrix-multiply throughput TensorFlow reaches here (a 2048³
   * product, median of 10) divided by the model's FLOPs per image.
   */
  private void printRoofline(List<Result> results) throws java.io.IOException {
    ModelMetadata metadata = ModelMetadata.read(model.dir);
    double gflops = matMulGflops(session.settings());
    System.out.printf("fp32 matrix multiply peak here: %.0f GFLOP/s%n", gflops);
    if (metadata == null || metadata.architecture() == null) {
      System.out.println("roofline: unknown model architecture (no visionstream metadata)");
      return;
    }
    double gflopPerImage = 2e-9 * ResNetArchitecture.parse(metadata.architecture())
        .multiplyAdds(metadata.preprocessing().cropSize(), metadata.classes(),
            metadata.stem() == null ? Stem.IMAGENET : Stem.parse(metadata.stem()),
            metadata.width() == null ? ResNetArchitecture.BASE_WIDTH : metadata.width());
    double ceiling = gflops / gflopPerImage;
    double bestFp32 = results.stream().filter(r -> r.precision().equals("fp32")).mapToDouble(Result::imagesPerSecond).max().orElse(0);
    System.out.printf("fp32 roofline: %.0f GFLOP/s / %.2f GFLOP per image = %.1f images/s; best fp32 measured %.1f (%.0f%%)%n",
        gflops, gflopPerImage, ceiling, bestFp32, 100 * bestFp32 / ceiling);
  }

  static double matMulGflops(SessionSettings settings) {
    int n = 2048;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
      Operand<TFloat32> product = tf.linalg.matMul(x, x);
      try (Session session = new Session(graph, settings.withCpuBf16(false).toConfigProto());
           TFloat32 input = TFloat32.tensorOf(Shape.of(n, n))) {
        double[] rates = new double[10];
        for (int i = -2; i < rates.length; i++) {
          long start = System.nanoTime();
          session.runner().feed(x, input).fetch(product).run().close();
          if (i >= 0) {
            rates[i] = 2.0 * n * n * n / ((System.nanoTime() - start) / 1e9) / 1e9;
          }
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
      }
    }
  }

  private Result measure(BatchRunner runner, String precision, int batchSize) {
    int size = runner.model().preprocessing().cropSize();
    float[] values = new float[batchSize * size * size * 3];
    SplittableRandom random = new SplittableRandom(batchSize);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextDouble() * 4 - 2);
    }
    try (TFloat32 batch = TFloat32.tensorOf(Shape.of(batchSize, size, size, 3), DataBuffers.of(values, true, false))) {
      for (int i = 0; i < warmup; i++) {
        runner.run(batch, false);
      }
      int runs = Math.max(1, (imagesPerRepeat + batchSize - 1) / batchSize);
      double[] rates = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
          runner.run(batch, false);
        }
        rates[r] = (double) runs * batchSize / ((System.nanoTime() - start) / 1e9);
      }
      Arrays.sort(rates);
      return new Result(precision, batchSize, rates[repeats / 2], rates[0], rates[repeats - 1], repeats);
    }
  }
}
