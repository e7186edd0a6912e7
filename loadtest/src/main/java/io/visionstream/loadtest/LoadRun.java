package io.visionstream.loadtest;

import io.visionstream.loadtest.frames.FramePool;
import io.visionstream.loadtest.frames.Resolution;
import io.visionstream.loadtest.generate.Generator;
import io.visionstream.loadtest.generate.LoadPlan;
import io.visionstream.loadtest.measure.LagProbe;
import io.visionstream.loadtest.measure.Ledger;
import io.visionstream.loadtest.measure.Measurer;
import io.visionstream.loadtest.report.RunReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One load-test run: the measurer starts at the end of the output topics, the generator sends on
 * its open-loop schedule, a one-second sampler builds the timeline (and the live progress bar),
 * then the run drains until every sent event has an outcome or the drain timeout passes. Whatever
 * is still outstanding then is missing.
 */
public final class LoadRun {

  /** How a run reports progress while it runs. */
  public interface Progress {
    void loading(long sent, long planned, String status);

    void draining(long outstanding, long atStart, String status);

    void done();

    Progress NONE = new Progress() {
      @Override
      public void loading(long sent, long planned, String status) {}

      @Override
      public void draining(long outstanding, long atStart, String status) {}

      @Override
      public void done() {}
    };

    /** A progress bar on stderr: frames sent during the load, outstanding events while draining. */
    static Progress bar(String name) {
      return new Progress() {
        private ProgressBar load;
        private ProgressBar drain;

        @Override
        public void loading(long sent, long planned, String status) {
          if (load == null) {
            load = new ProgressBarBuilder().setTaskName(name).setInitialMax(planned).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setUnit(" frames", 1).showSpeed().setMaxRenderedLength(140).build();
          }
          load.stepTo(sent);
          load.setExtraMessage(status);
        }

        @Override
        public void draining(long outstanding, long atStart, String status) {
          if (load != null) {
            load.close();
            load = null;
          }
          if (drain == null) {
            drain = new ProgressBarBuilder().setTaskName("drain").setInitialMax(Math.max(1, atStart))
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setMaxRenderedLength(140).build();
          }
          drain.stepTo(atStart - outstanding);
          drain.setExtraMessage(status);
        }

        @Override
        public void done() {
          if (load != null) {
            load.close();
          }
          if (drain != null) {
            drain.close();
          }
        }
      };
    }
  }

  private final Target target;
  private final String deployment;
  private final LoadPlan plan;
  private final FramePool pool;
  private final float jpegQuality;
  private final String photos;
  private final Duration drainTimeout;

  /**
   * @param deployment what is under test, for the report (e.g. "local stack: ResNet-50, batch 32")
   * @param jpegQuality and {@code photos}: how {@code pool} was made, for the report
   */
  public LoadRun(Target target, String deployment, LoadPlan plan, FramePool pool, float jpegQuality, String photos,
      Duration drainTimeout) {
    this.target = target;
    this.deployment = deployment;
    this.plan = plan;
    this.pool = pool;
    this.jpegQuality = jpegQuality;
    this.photos = photos;
    this.drainTimeout = drainTimeout;
    long maxRequest = Long.parseLong(String.valueOf(target.clientProperties().getOrDefault("max.request.size", 1_048_576)));
    FramePool.Frame largest = pool.largest();
    // the event adds its id, source, attributes and Avro framing to the JPEG: keep 4 KB for them
    if (largest.image().length + 4096L > maxRequest) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "a %s %s frame is %,d bytes as JPEG, too large for "
          + "the producer's max.request.size of %,d bytes; lower --jpeg-quality, or raise max.request.size (and the "
          + "topic's max.message.bytes) via --client-config", largest.resolution(), largest.kind().name().toLowerCase(Locale.ROOT),
          largest.image().length, maxRequest));
    }
  }

  public RunReport run(LagProbe lag, Progress progress) throws InterruptedException {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Instant startedAt = Instant.now();
    Ledger ledger = new Ledger();
    long warmupSeconds = (long) Math.ceil(plan.warmup().toNanos() / 1e9);
    List<RunReport.Interval> timeline = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    // The measurer is positioned at the end of its topics before the clock starts.
    Measurer measurer = new Measurer(target, ledger);
    long startNanos = System.nanoTime() + 200_000_000L;
    measurer.warmupEnds(startNanos + warmupSeconds * 1_000_000_000L);
    Generator generator;
    Snapshot windowStart = null;
    Snapshot windowEnd;
    boolean drained;
    double drainSeconds;
    try {
      generator = new Generator(target, plan, pool, ledger, runId, startNanos);
      Thread sender = new Thread(generator, "loadtest-generator");
      sender.setPriority(Thread.MAX_PRIORITY);
      sender.start();
      Sampler sampler = new Sampler(measurer, generator, ledger, lag, startNanos);
      long planned = plan.plannedEvents();
      for (int tick = 1; ; tick++) {
        sleepUntil(startNanos + tick * 1_000_000_000L);
        RunReport.Interval interval = sampler.sample();
        timeline.add(interval);
        if (tick == warmupSeconds) {
          windowStart = sampler.cumulative();
        }
        progress.loading(generator.sent(), planned, status(interval));
        if (generator.finishedNanos() != 0) {
          break;
        }
      }
      sender.join();
      windowEnd = sampler.cumulative();
      if (windowStart == null) {
        windowStart = new Snapshot(0, 0, startNanos);
      }
      long drainStart = System.nanoTime();
      long atStart = ledger.outstanding();
      for (int tick = timeline.size() + 1; ledger.outstanding() > 0
          && System.nanoTime() - drainStart < drainTimeout.toNanos(); tick++) {
        sleepUntil(Math.min(startNanos + tick * 1_000_000_000L, drainStart + drainTimeout.toNanos()));
        RunReport.Interval interval = sampler.sample();
        timeline.add(interval);
        progress.draining(ledger.outstanding(), atStart, status(interval));
      }
      drained = ledger.outstanding() == 0;
      drainSeconds = (System.nanoTime() - drainStart) / 1e9;
      progress.done();
    } finally {
      measurer.close();
    }
    if (generator.firstError() != null) {
      problems.add(generator.firstError());
    }
    if (measurer.firstProblem() != null) {
      problems.add(measurer.firstProblem());
    }
    if (lag.unavailable() != null) {
      problems.add(lag.unavailable());
    }
    Measurer.Counts counts = measurer.counts();
    Histogram latency = measurer.latency();
    Histogram sendDelay = generator.sendDelay();
    double windowSeconds = (windowEnd.nanos() - windowStart.nanos()) / 1e9;
    RunReport.Summary summary = new RunReport.Summary(generator.sent(), generator.sendErrors(), counts.classified(),
        counts.skipped(), counts.otherStatus(), counts.deadLettered(), measurer.deadLetterReasons(), ledger.outstanding(),
        counts.duplicates(), counts.foreign(), counts.unreadable(), windowSeconds,
        windowSeconds > 0 ? (windowEnd.sent() - windowStart.sent()) / windowSeconds : 0,
        windowSeconds > 0 ? (windowEnd.classified() - windowStart.classified()) / windowSeconds : 0,
        latency(latency), sendDelay.getValueAtPercentile(99) / 1e3, sendDelay.getMaxValue() / 1e3,
        counts.batchSizeCount() == 0 ? null : counts.batchSizeSum() / (double) counts.batchSizeCount(), drained,
        drainSeconds, problems);
    return new RunReport("visionstream-loadtest", runId, startedAt.toString(),
        new RunReport.TargetInfo(target.bootstrapServers(), target.inputTopic(), target.predictionsTopic(),
            target.deadLetterTopic(), target.classifierGroup(), deployment),
        settings(), summary, timeline, percentiles(latency), batches(measurer.batchSizes()), null);
  }

  private RunReport.Settings settings() {
    Map<Resolution, Integer> cameras = new TreeMap<>((a, b) -> Long.compare((long) a.width() * a.height(), (long) b.width() * b.height()));
    for (int c = 0; c < plan.cameras(); c++) {
      cameras.merge(plan.mix().forCamera(c, plan.cameras()), 1, Integer::sum);
    }
    List<RunReport.ResolutionShare> shares = new ArrayList<>();
    cameras.forEach((r, n) -> shares.add(new RunReport.ResolutionShare(r.toString(), n, pool.meanBytes(r))));
    return new RunReport.Settings(plan.cameras(), plan.rate(), shares, jpegQuality, pool.frames(plan.mix().resolutions().get(0)).size(),
        photos, plan.count() > 0 ? null : plan.duration().toNanos() / 1e9, plan.count() > 0 ? plan.count() : null,
        plan.warmup().toNanos() / 1e9, drainTimeout.toNanos() / 1e9);
  }

  private static String status(RunReport.Interval interval) {
    return String.format(Locale.ROOT, " | classified %d/s, p99 %s, backlog %d%s", interval.classified(),
        interval.latencyP99() == null ? "-" : String.format(Locale.ROOT, "%.0f ms", interval.latencyP99()),
        interval.outstanding(), interval.consumerLag() == null ? "" : ", lag " + interval.consumerLag());
  }

  private static RunReport.Latency latency(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new RunReport.Latency(0, 0, 0, 0, 0, 0, 0);
    }
    return new RunReport.Latency(h.getTotalCount(), h.getMean() / 1e3, h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
        h.getMaxValue() / 1e3);
  }

  private static List<RunReport.Percentile> percentiles(Histogram h) {
    List<RunReport.Percentile> list = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return list;
    }
    for (HistogramIterationValue v : h.percentiles(5)) {
      list.add(new RunReport.Percentile(v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1e3));
      if (v.getPercentileLevelIteratedTo() >= 100) {
        break;
      }
    }
    return list;
  }

  /** Micro-batches seen per size: predictions with batch_size b, divided by b. */
  private static Map<Integer, Long> batches(Map<Integer, Long> predictionsBySize) {
    Map<Integer, Long> batches = new TreeMap<>();
    predictionsBySize.forEach((size, predictions) -> batches.put(size, Math.max(1, Math.round(predictions / (double) size))));
    return batches;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long now;
    while ((now = System.nanoTime()) < nanos) {
      Thread.sleep(Math.max(1, (nanos - now) / 1_000_000), 0);
    }
  }

  /** Events sent and classified so far, at nanoTime {@code nanos}. */
  private record Snapshot(long sent, long classified, long nanos) {}

  /** Turns cumulative counters into one-second intervals. */
  private static final class Sampler {
    private final Measurer measurer;
    private final Generator generator;
    private final Ledger ledger;
    private final LagProbe lag;
    private final long startNanos;
    private Histogram recycled;
    private long sent;
    private Measurer.Counts last = new Measurer.Counts(0, 0, 0, 0, 0, 0, 0, 0, 0);
    private Snapshot cumulative;

    Sampler(Measurer measurer, Generator generator, Ledger ledger, LagProbe lag, long startNanos) {
      this.measurer = measurer;
      this.generator = generator;
      this.ledger = ledger;
      this.lag = lag;
      this.startNanos = startNanos;
    }

    RunReport.Interval sample() {
      long now = System.nanoTime();
      Histogram h = measurer.intervalLatency(recycled);
      recycled = h;
      Measurer.Counts counts = measurer.counts();
      long sentNow = generator.sent();
      cumulative = new Snapshot(sentNow, counts.classified(), now);
      long batchCount = counts.batchSizeCount() - last.batchSizeCount();
      Long consumerLag = lag.lag();
      RunReport.Interval interval = new RunReport.Interval((now - startNanos) / 1e9, sentNow - sent,
          counts.classified() - last.classified(), counts.skipped() - last.skipped(),
          counts.deadLettered() - last.deadLettered(),
          h.getTotalCount() == 0 ? null : h.getValueAtPercentile(50) / 1e3,
          h.getTotalCount() == 0 ? null : h.getValueAtPercentile(99) / 1e3,
          h.getTotalCount() == 0 ? null : h.getMaxValue() / 1e3, ledger.outstanding(), consumerLag,
          batchCount == 0 ? null : (counts.batchSizeSum() - last.batchSizeSum()) / (double) batchCount);
      sent = sentNow;
      last = counts;
      return interval;
    }

    /** Totals at the last sample. */
    Snapshot cumulative() {
      return cumulative;
    }
  }
}
