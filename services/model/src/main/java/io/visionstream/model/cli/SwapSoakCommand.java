package io.visionstream.model.cli;

import io.visionstream.model.serving.ServingModel;
import io.visionstream.model.serving.VersionedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "swap-soak", mixinStandardHelpOptions = true,
    description = {"Checks that hot-swapping model versions keeps native memory bounded and serving continuous: one "
        + "thread runs batches back to back on the serving version while new versions (hard links to the model's files, "
        + "in a temporary directory of versions) are loaded beside it, checked and swapped in, as the classifier does. "
        + "Prints the RSS after each swap, the time between the last batch on one version and the first on the next, "
        + "and batch times while a version loads. Exit code 1 if RSS leaves the tolerance band.",
        "Pin the Java heap so that its growth does not count as native memory: VISIONSTREAM_JAVA_OPTS=\"-Xms256m -Xmx256m "
            + "-XX:+AlwaysPreTouch\"."})
final class SwapSoakCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  SessionOptions session;

  @Option(names = "--swaps", defaultValue = "20", description = "Versions swapped in (default: ${DEFAULT-VALUE}).")
  int swaps;

  @Option(names = "--batches-between", defaultValue = "20",
      description = "Batches served between swaps (default: ${DEFAULT-VALUE}).")
  int batchesBetween;

  @Option(names = "--batch-size", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--warmup-swaps", defaultValue = "3",
      description = "Swaps before the reference RSS is taken: the allocator keeps the memory of the first swaps, when two "
          + "versions were loaded at once, for the ones after (default: ${DEFAULT-VALUE}).")
  int warmupSwaps;

  @Option(names = "--tolerance", defaultValue = "0.10",
      description = "Allowed RSS change against the RSS after the warm-up swaps (default: ${DEFAULT-VALUE}).")
  double tolerance;

  /** What the serving thread saw: each batch's version, start and end. */
  private record Batch(String version, long start, long end) {}

  @Override
  public Integer call() throws Exception {
    if (warmupSwaps < 1 || warmupSwaps >= swaps) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--warmup-swaps must be at least 1 and"
          + " less than --swaps (got " + warmupSwaps + " of " + swaps + ")");
    }
    Path versions = Files.createTempDirectory("visionstream-swap-soak");
    try {
      link(model.dir, versions.resolve("1"));
      return soak(versions);
    } finally {
      try (Stream<Path> files = Files.walk(versions)) {
        for (Path file : files.sorted(Collections.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  private int soak(Path versions) throws Exception {
    List<Batch> batches = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong served = new AtomicLong();
    try (VersionedModels models = VersionedModels.open(new VersionedModels.Settings(versions, null, session.settings(),
        model.options()), Clock.systemUTC())) {
      ServingModel serving = models.serving();
      int size = serving.current().model().preprocessing().cropSize();
      Thread server = new Thread(() -> {
        try (TFloat32 input = TFloat32.tensorOf(Shape.of(batchSize, size, size, 3))) {
          while (!stop.get()) {
            long start = System.nanoTime();
            try (ServingModel.Lease lease = serving.acquire()) {
              lease.version().runner().run(input, false);
              batches.add(new Batch(lease.version().version(), start, System.nanoTime()));
            }
            served.incrementAndGet();
          }
        }
      }, "swap-soak-serving");
      server.start();
      awaitBatches(served, batchesBetween);
      long baseline = SoakCommand.rssKiB();
      report("baseline (version 1 serving, " + batchesBetween + " batches of " + batchSize + ")", baseline, baseline);
      long reference = 0;
      long low = Long.MAX_VALUE;
      long high = 0;
      List<Long> rssAfter = new ArrayList<>();
      List<Long> loadMillis = new ArrayList<>();
      for (int v = 2; v <= swaps + 1; v++) {
        link(model.dir, versions.resolve(Integer.toString(v)));
        VersionedModels.Refresh refresh = models.refresh();
        if (!refresh.swapped()) {
          throw new IllegalStateException("version " + v + " was not swapped in: " + refresh);
        }
        loadMillis.add(refresh.loadMillis());
        awaitBatches(served, served.get() + batchesBetween);
        long rss = SoakCommand.rssKiB();
        rssAfter.add(rss);
        if (v - 1 == warmupSwaps) {
          reference = rss;
        } else if (v - 1 > warmupSwaps) {
          low = Math.min(low, rss);
          high = Math.max(high, rss);
        }
        report("after swap " + (v - 1) + " (version " + v + ", loaded and checked in " + refresh.loadMillis() + " ms, "
            + serving.openVersions() + " open)", rss, baseline);
      }
      stop.set(true);
      server.join();
      summarize(batches, loadMillis);
      double worst = Math.max(Math.abs(high - reference), Math.abs(reference - low)) / (double) reference;
      int half = rssAfter.size() / 2;
      double perSwap = (rssAfter.get(rssAfter.size() - 1) - rssAfter.get(half - 1)) / 1024.0 / (rssAfter.size() - half);
      System.out.printf("RSS after swap %d (reference) %d MiB; over swaps %d–%d: %d–%d MiB, largest change %.1f%% of the"
          + " reference (tolerance %.0f%%); baseline before any swap %d MiB; from swap %d to swap %d: %+.1f MiB per swap%n",
          warmupSwaps, reference >> 10, warmupSwaps + 1, swaps, low >> 10, high >> 10, worst * 100, tolerance * 100,
          baseline >> 10, half, rssAfter.size(), perSwap);
      return worst <= tolerance ? 0 : 1;
    }
  }

  /** Gaps between versions and batch times, from what the serving thread recorded. */
  private static void summarize(List<Batch> batches, List<Long> loadMillis) {
    List<Long> gaps = new ArrayList<>();
    List<Long> durations = new ArrayList<>();
    synchronized (batches) {
      for (int i = 0; i < batches.size(); i++) {
        Batch b = batches.get(i);
        durations.add((b.end() - b.start()) / 1000);
        if (i > 0 && !b.version().equals(batches.get(i - 1).version())) {
          gaps.add((b.start() - batches.get(i - 1).end()) / 1000);
        }
      }
    }
    Collections.sort(gaps);
    Collections.sort(durations);
    Collections.sort(loadMillis);
    System.out.printf("%d batches; time between the last batch on a version and the first on the next: median %d µs, max %d"
        + " µs (%d swaps)%n", durations.size(), gaps.get(gaps.size() / 2), gaps.get(gaps.size() - 1), gaps.size());
    System.out.printf("batch time: median %.1f ms, p99 %.1f ms, max %.1f ms; load and check per version: median %d ms, max %d"
        + " ms%n", durations.get(durations.size() / 2) / 1000.0, durations.get((int) (durations.size() * 0.99)) / 1000.0,
        durations.get(durations.size() - 1) / 1000.0, loadMillis.get(loadMillis.size() / 2),
        loadMillis.get(loadMillis.size() - 1));
  }

  private static void awaitBatches(AtomicLong served, long count) throws InterruptedException {
    while (served.get() < count) {
      Thread.sleep(5);
    }
  }

  /** A version directory whose files are hard links to {@code source}'s, moved into place. */
  private static void link(Path source, Path version) throws IOException {
    Path staging = version.resolveSibling("." + version.getFileName() + ".staging");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path target = staging.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.createLink(target, file.toRealPath());
        }
      }
    }
    Files.move(staging, version);
  }

  private static void report(String when, long rss, long baseline) {
    SoakCommand.report(when, 75, rss, baseline);
  }
}
