package io.visionstream.classifier.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SupervisorTest {

  private final Lifecycle lifecycle = LifecycleTest.at(State.RUNNING);
  private final Supervisor supervisor = new Supervisor(lifecycle);

  @Test
  void anErrorInAThreadFailsThePipelineNamingTheThread() throws Exception {
    supervisor.start("classifier-sink", () -> {
      throw new OutOfMemoryError("Java heap space");
    });
    assertThat(lifecycle.awaitEnd(Duration.ofSeconds(5))).isTrue();
    assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    assertThat(lifecycle.failure()).hasMessageContaining("thread classifier-sink failed")
        .hasRootCauseInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void aThreadThatEndsWhileThePipelineRunsFailsIt() throws Exception {
    supervisor.start("classifier-inference-0", () -> { });
    assertThat(lifecycle.awaitEnd(Duration.ofSeconds(5))).isTrue();
    assertThat(lifecycle.failure()).hasMessage("thread classifier-inference-0 ended while the pipeline was RUNNING");
  }

  @Test
  void threadsThatEndWhileDrainingOrTasksThatFinishAreFine() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    supervisor.startTask("classifier-start", () -> { });
    supervisor.start("classifier-poll", () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(lifecycle.moveTo(State.DRAINING)).isTrue();
    release.countDown();
    assertThat(supervisor.joinAll(Duration.ofSeconds(5))).isTrue();
    assertThat(supervisor.alive()).isEmpty();
    assertThat(lifecycle.state()).isEqualTo(State.DRAINING);
  }

  @Test
  void interruptAllEndsBlockedThreads() throws Exception {
    lifecycle.moveTo(State.DRAINING);
    supervisor.start("classifier-decode-0", () -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    supervisor.interruptAll();
    assertThat(supervisor.joinAll(Duration.ofSeconds(5))).isTrue();
  }
}
