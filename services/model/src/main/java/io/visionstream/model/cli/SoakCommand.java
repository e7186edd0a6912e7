package io.visionstream.model.cli;

import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.savedmodel.ClassifierModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "soak", mixinStandardHelpOptions = true,
    description = {"Checks that native memory stays bounded: after a warm-up, loads and closes the model repeatedly, "
        + "then runs many batches, printing the process RSS. Exit code 1 if RSS leaves the tolerance band.",
        "Pin the Java heap so that its growth does not count as native memory: VISIONSTREAM_JAVA_OPTS=\"-Xms256m -Xmx256m "
            + "-XX:+AlwaysPreTouch\"."})
final class SoakCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  SessionOptions session;

  @Option(names = "--warmup-batches", defaultValue = "20", description = "Default: ${DEFAULT-VALUE}.")
  int warmupBatches;

  @Option(names = "--loads", defaultValue = "20", description = "Load/run/close cycles (default: ${DEFAULT-VALUE}).")
  int loads;

  @Option(names = "--batches", defaultValue = "1000", description = "Batches on one loaded model (default: ${DEFAULT-VALUE}).")
  int batches;

  @Option(names = "--batch-size", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--tolerance", defaultValue = "0.10", description = "Allowed RSS change against the warmed-up baseline (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Override
  public Integer call() throws Exception {
    long baseline;
    try (ClassifierModel classifier = ClassifierModel.load(model.dir, session.settings(), model.options())) {
      run(classifier, warmupBatches);
      baseline = rssKiB();
    }
    report("baseline (model loaded, " + warmupBatches + " warm-up batches of " + batchSize + ")", baseline, baseline);
    for (int i = 1; i <= loads; i++) {
      try (ClassifierModel classifier = ClassifierModel.load(model.dir, session.settings(), model.options())) {
        run(classifier, 1);
        if (i == loads) {
          report("after " + loads + " load/run/close cycles (loaded)", rssKiB(), baseline);
        }
      }
    }
    long low = Long.MAX_VALUE;
    long high = 0;
    try (ClassifierModel classifier = ClassifierModel.load(model.dir, session.settings(), model.options())) {
      BatchRunner runner = new BatchRunner(classifier);
      int size = classifier.preprocessing().cropSize();
      try (TFloat32 batch = TFloat32.tensorOf(Shape.of(batchSize, size, size, 3))) {
        for (int i = 1; i <= batches; i++) {
          runner.run(batch, false);
          if (i % 100 == 0 || i == batches) {
            long rss = rssKiB();
            low = Math.min(low, rss);
            high = Math.max(high, rss);
            report("after " + i + " batches", rss, baseline);
          }
        }
      }
    }
    double worst = Math.max(Math.abs(high - baseline), Math.abs(baseline - low)) / (double) baseline;
    System.out.printf("RSS during the batches: %d–%d MiB, largest change %.1f%% of the baseline (tolerance %.0f%%)%n",
        low >> 10, high >> 10, worst * 100, tolerance * 100);
    return worst <= tolerance ? 0 : 1;
  }

  private void run(ClassifierModel classifier, int n) {
    BatchRunner runner = new BatchRunner(classifier);
    int size = classifier.preprocessing().cropSize();
    try (TFloat32 batch = TFloat32.tensorOf(Shape.of(batchSize, size, size, 3))) {
      for (int i = 0; i < n; i++) {
        runner.run(batch, false);
      }
    }
  }

  private static void report(String when, long rss, long baseline) {
    report(when, 55, rss, baseline);
  }

  /** One line: RSS {@code when} (padded to {@code width}), its change against {@code baseline}, and the committed heap. */
  static void report(String when, int width, long rss, long baseline) {
    long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20;
    System.out.printf("RSS %-" + width + "s %6d MiB (%+.1f%%), Java heap committed %d MiB%n", when + ":", rss >> 10,
        100.0 * (rss - baseline) / baseline, heap);
  }

  /** Resident set size of this process from /proc/self/status, in KiB. */
  static long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("/proc/self/status has no VmRSS line (not Linux?)");
  }
}
