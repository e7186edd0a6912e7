package io.visionstream.loadtest.cli;

import io.visionstream.loadtest.report.Slo;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Thresholds that turn a run into a failure (exit code 1). */
public final class SloOptions {

  @Option(names = "--slo-p99", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Fail if p99 end-to-end latency after the warm-up is above this, e.g. 1500ms.")
  Duration p99;

  @Option(names = "--min-throughput", paramLabel = "FRAMES/S",
      description = "Fail if fewer classified predictions per second are read after the warm-up.")
  Double minThroughput;

  @Option(names = "--max-missing", defaultValue = "0",
      description = "Events allowed to end with neither a prediction nor a dead letter (default: ${DEFAULT-VALUE}).")
  long maxMissing;

  public Slo slo() {
    return new Slo(p99, minThroughput, maxMissing);
  }
}
