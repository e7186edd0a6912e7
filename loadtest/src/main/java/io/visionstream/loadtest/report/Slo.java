package io.visionstream.loadtest.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pass/fail thresholds of a run: p99 latency, classified throughput and missing events. A run
 * fails when any is missed; the load test's exit code says so.
 *
 * @param p99 p99 end-to-end latency bound, or null for none
 * @param minThroughput classified predictions per second, or null for none
 * @param maxMissing events allowed to end with no outcome (default 0)
 */
public record Slo(Duration p99, Double minThroughput, long maxMissing) {

  public RunReport.Verdict evaluate(RunReport.Summary summary) {
    List<String> failures = new ArrayList<>();
    if (p99 != null && summary.latency().count() == 0) {
      failures.add("no latency was measured after the warm-up, so the p99 SLO cannot be met");
    } else if (p99 != null && summary.latency().p99() > p99.toNanos() / 1e6) {
      failures.add(String.format(Locale.ROOT, "p99 latency %.0f ms is above the SLO of %d ms", summary.latency().p99(),
          p99.toMillis()));
    }
    if (minThroughput != null && summary.throughput() < minThroughput) {
      failures.add(String.format(Locale.ROOT, "throughput %.1f/s is below the minimum of %.1f/s", summary.throughput(),
          minThroughput));
    }
    if (summary.missing() > maxMissing) {
      failures.add(summary.missing() + " events got neither a prediction nor a dead letter"
          + (maxMissing > 0 ? " (allowed: " + maxMissing + ")" : ""));
    }
    if (summary.sendErrors() > 0) {
      failures.add(summary.sendErrors() + " events could not be sent (see problems)");
    }
    if (summary.unreadable() > 0) {
      failures.add(summary.unreadable() + " records on the predictions topic could not be read");
    }
    return new RunReport.Verdict(failures.isEmpty(), p99 == null ? null : p99.toNanos() / 1e6, minThroughput, maxMissing,
        failures);
  }
}
