package io.visionstream.classifier.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.classifier.work.Stage;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WatchdogTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Lifecycle lifecycle = LifecycleTest.at(State.RUNNING);
  private final Progress progress = new Progress(now::get);
  private final Watchdog watchdog = new Watchdog(lifecycle, progress, Duration.ofSeconds(60));
  private final AtomicInteger waitingForInference = new AtomicInteger();

  WatchdogTest() {
    progress.waiting(Stage.INFERENCE, waitingForInference::get);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void workWaitingForAStageWithoutProgressPastTheTimeoutFailsThePipelineNamingTheStage() {
    waitingForInference.set(16);
    watchdog.check();
    advance(Duration.ofSeconds(59));
    assertThat(watchdog.check()).isNull();
    advance(Duration.ofSeconds(2));
    Watchdog.StallException stall = watchdog.check();
    assertThat(stall).hasMessageStartingWith("stalled in stage inference since ")
        .hasMessageContaining("16 items waiting and no progress for 61 s");
    assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    assertThat(lifecycle.failure()).isSameAs(stall);
  }

  @Test
  void progressOrAnIdleStageIsNoStall() {
    advance(Duration.ofHours(1)); // idle for an hour
    watchdog.check();
    waitingForInference.set(4);
    advance(Duration.ofSeconds(30));
    assertThat(watchdog.check()).as("work arrived 30 s ago").isNull();
    progress.progressed(Stage.INFERENCE);
    advance(Duration.ofSeconds(45));
    assertThat(watchdog.check()).as("progress 45 s ago").isNull();
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
  }

  @Test
  void aStageRetryingAFaultIsNotStalled() {
    waitingForInference.set(8);
    watchdog.check();
    lifecycle.moveTo(State.RETRYING);
    advance(Duration.ofMinutes(10));
    assertThat(watchdog.check()).isNull();
    lifecycle.moveTo(State.RUNNING);
    advance(Duration.ofSeconds(30));
    assertThat(watchdog.check()).as("the stall clock starts again after the retry").isNull();
  }
}
