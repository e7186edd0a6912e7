package io.visionstream.loadtest.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.loadtest.report.RunReport;
import io.visionstream.loadtest.report.Slo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class SustainabilityTest {

  /** A 30 s step at 40/s after a 5 s warm-up whose backlog at second t is {@code backlog(t)}. */
  static RunReport step(double p99, double achieved, long missing, IntToLongFunction backlog) {
    List<RunReport.Interval> timeline = new ArrayList<>();
    for (int t = 1; t <= 35; t++) {
      timeline.add(new RunReport.Interval(t, 40, 40, 0, 0, 100.0, p99, p99, backlog.applyAsLong(t), null, 8.0));
    }
    RunReport.Summary summary = new RunReport.Summary(1400, 0, 1400 - missing, 0, 0, 0, Map.of(), missing, 0, 0, 0, 30,
        achieved, achieved, new RunReport.Latency(1200, 100, 100, 150, p99, p99, p99), 0.1, 1, 8.0, missing == 0, 1, List.of());
    RunReport.Settings settings = new RunReport.Settings(8, 40, List.of(), 0.85f, 24, null, 35.0, null, 5, 60);
    return new RunReport("t", "r", "now", null, settings, summary, timeline, List.of(), Map.of(), null);
  }

  private static final Slo SLO = new Slo(Duration.ofMillis(1500), null, 0);

  @Test
  void aSteadyBacklogWithinTheSloIsSustainable() {
    // wobbles by a micro-batch, as a pipeline that keeps up does
    assertThat(Sustainability.problems(step(900, 39.8, 0, t -> 20 + (t % 3) * 16), SLO, 0.05)).isEmpty();
  }

  @Test
  void aGrowingBacklogIsNotEvenWithinTheSlo() {
    RunReport growing = step(1200, 40, 0, t -> 10L * t);
    assertThat(Sustainability.backlogSlope(growing)).isCloseTo(10.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(Sustainability.problems(growing, SLO, 0.05)).singleElement().asString()
        .contains("backlog grew by 10.0 events/s").contains("allowed 2.0/s");
  }

  @Test
  void p99AboveTheSloAShortSendRateAndMissingEventsAreEachNamed() {
    assertThat(Sustainability.problems(step(1501, 40, 0, t -> 5), SLO, 0.05)).singleElement().asString()
        .contains("p99 latency 1501 ms is above the SLO of 1500 ms");
    assertThat(Sustainability.problems(step(800, 37.9, 0, t -> 5), SLO, 0.05)).singleElement().asString()
        .contains("the generator sent 37.9/s of the 40.0/s asked");
    assertThat(Sustainability.problems(step(800, 40, 3, t -> 5), SLO, 0.05))
        .anySatisfy(p -> assertThat(p).contains("3 events got neither a prediction nor a dead letter"))
        .anySatisfy(p -> assertThat(p).contains("did not drain"));
  }

  @Test
  void sloThresholdsOfARun() {
    RunReport.Summary s = step(800, 40, 0, t -> 5).summary();
    assertThat(new Slo(Duration.ofMillis(800), 40.0, 0).evaluate(s).passed()).isTrue();
    assertThat(new Slo(Duration.ofMillis(799), 40.1, 0).evaluate(s).failures()).containsExactly(
        "p99 latency 800 ms is above the SLO of 799 ms", "throughput 40.0/s is below the minimum of 40.1/s");
    assertThat(new Slo(null, null, 2).evaluate(step(800, 40, 2, t -> 5).summary()).passed()).isTrue();
  }
}
