package io.visionstream.classifier.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.work.Stage;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FaultsTest {

  private final AtomicLong now = new AtomicLong();
  private final Lifecycle lifecycle = new Lifecycle();
  private final Faults faults = new Faults(lifecycle, new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(1)),
      Duration.ofMinutes(2), now::get);

  FaultsTest() {
    lifecycle.moveTo(State.STARTING);
    lifecycle.moveTo(State.RUNNING);
  }

  @Test
  void aFaultMakesThePipelineRetryingUntilEveryFailingStageRecovers() {
    faults.retrying(Stage.INFERENCE, new RuntimeException("session broken"));
    faults.retrying(Stage.SINK, new RuntimeException("broker gone"));
    assertThat(lifecycle.state()).isEqualTo(State.RETRYING);
    assertThat(faults.outages()).containsOnlyKeys(Stage.INFERENCE, Stage.SINK);
    faults.recovered(Stage.INFERENCE);
    assertThat(lifecycle.state()).isEqualTo(State.RETRYING);
    faults.recovered(Stage.SINK);
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
    assertThat(faults.retries()).isEqualTo(2);
    faults.recovered(Stage.DECODE);
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
  }

  @Test
  void backoffGrowsWithEachAttemptOfAnOutage() {
    Duration first = faults.retrying(Stage.INFERENCE, new RuntimeException("x"));
    Duration second = faults.retrying(Stage.INFERENCE, new RuntimeException("x"));
    Duration third = faults.retrying(Stage.INFERENCE, new RuntimeException("x"));
    assertThat(first).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(second).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(third).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
  }

  @Test
  void aStageFailingLongerThanTheGiveUpTimeFailsThePipeline() {
    faults.retrying(Stage.INFERENCE, new RuntimeException("device lost"));
    now.addAndGet(Duration.ofSeconds(119).toNanos());
    faults.retrying(Stage.INFERENCE, new RuntimeException("device lost"));
    assertThat(lifecycle.state()).isEqualTo(State.RETRYING);
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    Faults.GaveUpException gaveUp = catchThrowableOfType(Faults.GaveUpException.class,
        () -> faults.retrying(Stage.INFERENCE, new RuntimeException("device lost")));
    assertThat(gaveUp).hasMessageStartingWith("stage inference kept failing for 121 s (3 attempts");
    assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    assertThat(lifecycle.failure()).isSameAs(gaveUp);
  }

  @Test
  void aRecoveryStartsTheGiveUpClockAfresh() {
    faults.retrying(Stage.SINK, new RuntimeException("x"));
    now.addAndGet(Duration.ofSeconds(100).toNanos());
    faults.recovered(Stage.SINK);
    now.addAndGet(Duration.ofSeconds(100).toNanos());
    faults.retrying(Stage.SINK, new RuntimeException("x"));
    assertThat(lifecycle.state()).isEqualTo(State.RETRYING);
  }

  @Test
  void aStageThatCanWorkAgainRunsThePipelineButAFailureBeforeASuccessContinuesItsOutage() {
    faults.retrying(Stage.SINK, new RuntimeException("fenced"));
    now.addAndGet(Duration.ofSeconds(100).toNanos());
    faults.resumed(Stage.SINK);
    assertThat(lifecycle.state()).as("new producer ready: the source runs again").isEqualTo(State.RUNNING);
    assertThat(faults.outages()).isEmpty();
    now.addAndGet(Duration.ofSeconds(21).toNanos());
    Faults.GaveUpException gaveUp = catchThrowableOfType(Faults.GaveUpException.class,
        () -> faults.retrying(Stage.SINK, new RuntimeException("fenced")));
    assertThat(gaveUp).as("the same outage, 121 s old").hasMessageStartingWith("stage sink kept failing for 121 s (2 attempts");
  }

  @Test
  void aSuccessAfterResumingEndsTheOutage() {
    faults.retrying(Stage.SINK, new RuntimeException("fenced"));
    faults.resumed(Stage.SINK);
    faults.recovered(Stage.SINK);
    now.addAndGet(Duration.ofSeconds(200).toNanos());
    faults.retrying(Stage.SINK, new RuntimeException("fenced"));
    assertThat(lifecycle.state()).isEqualTo(State.RETRYING);
  }

  @Test
  void anOutageThatOutlivesTheGiveUpTimeFailsThePipelineWithoutAnotherFailure() {
    faults.retrying(Stage.SINK, new RuntimeException("broker gone"));
    now.addAndGet(Duration.ofSeconds(119).toNanos());
    faults.expire();
    assertThat(lifecycle.state()).isEqualTo(State.RETRYING);
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    faults.expire();
    assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    assertThat(lifecycle.failure()).hasMessageStartingWith("stage sink kept failing for 121 s (1 attempts, faults.give-up-after 120 s, no recovery since)");
  }

  @Test
  void aPauseEndsEarlyOnceThePipelineStops() throws Exception {
    lifecycle.moveTo(State.DRAINING);
    long start = System.nanoTime();
    assertThat(faults.pause(Duration.ofSeconds(30))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void backoffNeverExceedsItsMaximum() {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), new Random(7));
    for (int attempt = 1; attempt < 100; attempt++) {
      assertThat(backoff.delay(attempt)).isLessThanOrEqualTo(Duration.ofSeconds(30)).isPositive();
    }
    assertThat(backoff.delay(60)).isGreaterThanOrEqualTo(Duration.ofSeconds(15));
  }
}
