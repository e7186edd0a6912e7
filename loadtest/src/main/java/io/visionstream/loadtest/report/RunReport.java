package io.visionstream.loadtest.report;

import java.util.List;
import java.util.Map;

/**
 * Everything one load-test run measured; written as JSON and rendered as HTML. Times are
 * milliseconds unless a name says otherwise; rates are events per second.
 */
public record RunReport(
    String tool,
    String runId,
    String startedAt,
    TargetInfo target,
    Settings settings,
    Summary summary,
    List<Interval> timeline,
    List<Percentile> latencyPercentiles,
    Map<Integer, Long> batchesBySize,
    Verdict verdict) {

  public record TargetInfo(String bootstrapServers, String inputTopic, String predictionsTopic, String deadLetterTopic,
      String classifierGroup, String deployment) {}

  public record ResolutionShare(String resolution, int cameras, double meanJpegBytes) {}

  public record Settings(int cameras, double targetRate, List<ResolutionShare> resolutions, float jpegQuality,
      int poolPerResolution, String photos, Double durationSeconds, Long count, double warmupSeconds,
      double drainTimeoutSeconds) {}

  public record Latency(long count, double mean, double p50, double p90, double p99, double p999, double max) {}

  /**
   * @param measuredSeconds the window after the warm-up until the last event was sent
   * @param achievedSendRate events sent per second in that window
   * @param throughput classified predictions read per second in that window
   * @param missing sent events with neither a prediction nor a dead letter when the run ended
   * @param drained whether every event had its outcome before the drain timeout
   */
  public record Summary(long sent, long sendErrors, long classified, long skipped, long otherStatus, long deadLettered,
      Map<String, Long> deadLetterReasons, long missing, long duplicates, long foreign, long unreadable,
      double measuredSeconds, double achievedSendRate, double throughput, Latency latency, double sendDelayP99,
      double sendDelayMax, Double meanBatchSize, boolean drained, double drainSeconds, List<String> problems) {}

  /** One second of the run: counts in the second, latencies of predictions read in it, backlog at its end. */
  public record Interval(double t, long sent, long classified, long skipped, long deadLettered, Double latencyP50,
      Double latencyP99, Double latencyMax, long outstanding, Long consumerLag, Double meanBatchSize) {}

  public record Percentile(double percentile, double latency) {}

  public record Verdict(boolean passed, Double sloP99, Double minThroughput, long maxMissing, List<String> failures) {}

  public RunReport withVerdict(Verdict newVerdict) {
    return new RunReport(tool, runId, startedAt, target, settings, summary, timeline, latencyPercentiles, batchesBySize,
        newVerdict);
  }
}
