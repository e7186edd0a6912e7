package io.visionstream.classifier.lifecycle;

import io.visionstream.classifier.work.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Fails the pipeline when work waits for a stage that has not made progress for the stall
 * timeout, naming the stage and since when: a hung session run, a wedged decoder, a sink whose
 * writes never come back. Only while RUNNING: a stage that is retrying a fault has its own
 * give-up time. {@link #run()}, on a supervised thread, calls {@link #check()} about once a second.
 */
public final class Watchdog {

  /** No progress while work was waiting. */
  public static final class StallException extends RuntimeException {
    StallException(String message) {
      super(message);
    }
  }

  private final Lifecycle lifecycle;
  private final Progress progress;
  private final long stallNanos;
  private final Map<Stage, Long> idleSeen = new EnumMap<>(Stage.class);
  private final Runnable alsoEverySecond;

  public Watchdog(Lifecycle lifecycle, Progress progress, Duration stallTimeout) {
    this(lifecycle, progress, stallTimeout, () -> {});
  }

  /** @param alsoEverySecond another check {@link #run} makes after each {@link #check()} */
  public Watchdog(Lifecycle lifecycle, Progress progress, Duration stallTimeout, Runnable alsoEverySecond) {
    this.lifecycle = lifecycle;
    this.progress = progress;
    this.stallNanos = stallTimeout.toNanos();
    this.alsoEverySecond = alsoEverySecond;
  }

  /** Checks about once a second until the pipeline stops; the body of the watchdog thread. */
  public void run() {
    try {
      while (!lifecycle.state().isStopping()) {
        Thread.sleep(1000);
        check();
        alsoEverySecond.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Fails the pipeline if a stage stalled; returns the stall, or null. */
  public StallException check() {
    long now = progress.now();
    for (Stage stage : Stage.values()) {
      int waiting = progress.waitingFor(stage);
      if (waiting == 0) {
        idleSeen.put(stage, now);
        continue;
      }
      long since = Math.max(progress.lastNanos(stage), idleSeen.computeIfAbsent(stage, s -> now));
      if (lifecycle.state() == State.RUNNING && now - since > stallNanos) {
        Instant at = Instant.now().minusNanos(now - since);
        StallException stall = new StallException("stalled in stage " + stage.label() + " since " + at + ": " + waiting
            + " items waiting and no progress for " + Duration.ofNanos(now - since).toSeconds() + " s");
        lifecycle.fail(stall);
        return stall;
      }
      if (lifecycle.state() != State.RUNNING) {
        idleSeen.put(stage, now); // a retry or drain is not a stall; the clock starts again after it
      }
    }
    return null;
  }
}
