package io.visionstream.classifier.fault;

import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.work.Stage;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where stages report system faults. A stage that hits one calls {@link #retrying} before each
 * retry and {@link #recovered} after the first success: while any stage retries the pipeline is
 * RETRYING (partitions paused, readiness DOWN), and once a stage has been failing for longer than
 * the give-up time the pipeline FAILS. Logs the start of an outage, at most one line a
 * {@value #LOG_EVERY_SECONDS} s while it lasts, and its end. Thread-safe.
 */
public final class Faults {

  private static final Logger log = LoggerFactory.getLogger(Faults.class);
  static final int LOG_EVERY_SECONDS = 30;

  /** A stage kept failing for longer than the give-up time. */
  public static final class GaveUpException extends RuntimeException {
    GaveUpException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final class Outage {
    final long sinceNanos;
    int attempts;
    long loggedNanos;
    String reason;

    Outage(long sinceNanos) {
      this.sinceNanos = sinceNanos;
      this.loggedNanos = sinceNanos;
    }
  }

  private final Lifecycle lifecycle;
  private final Backoff backoff;
  private final long giveUpNanos;
  private final LongSupplier nanos;
  private final Map<Stage, Outage> outages = new EnumMap<>(Stage.class);
  /** Outages of stages that can work again but have not yet succeeded (see {@link #resumed}). */
  private final Map<Stage, Outage> probation = new EnumMap<>(Stage.class);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private final Function<Throwable, String> explain;
  private long retries;

  public Faults(Lifecycle lifecycle, Backoff backoff, Duration giveUpAfter, LongSupplier nanos) {
    this(lifecycle, backoff, giveUpAfter, nanos, Throwable::toString);
  }

  /**
   * @param explain one line saying what a failure is (e.g. which principal the brokers refused
   *     what, {@link io.visionstream.service.KafkaAccess#explain}); for the log and the health details
   */
  public Faults(Lifecycle lifecycle, Backoff backoff, Duration giveUpAfter, LongSupplier nanos,
      Function<Throwable, String> explain) {
    this.explain = explain;
    this.lifecycle = lifecycle;
    this.backoff = backoff;
    this.giveUpNanos = giveUpAfter.toNanos();
    this.nanos = nanos;
  }

  /**
   * {@code stage} failed with a system fault and will try again: returns how long to wait first.
   *
   * @throws GaveUpException after failing the pipeline, when the stage has been failing for longer
   *     than the give-up time
   */
  public Duration retrying(Stage stage, Throwable cause) {
    lock.lock();
    try {
      long now = nanos.getAsLong();
      Outage outage = outages.get(stage);
      String reason = explain.apply(cause);
      if (outage == null && (outage = probation.remove(stage)) != null) {
        // failed again before any success: the same outage goes on, with its attempts and give-up clock
        outages.put(stage, outage);
        lifecycle.moveTo(State.RETRYING);
      }
      if (outage == null) {
        outage = new Outage(now);
        outages.put(stage, outage);
        lifecycle.moveTo(State.RETRYING);
        log.warn("System fault in stage {}: {}; nothing is dead-lettered or committed past it, retrying for up to {} s",
            stage.label(), reason, TimeUnit.NANOSECONDS.toSeconds(giveUpNanos), cause);
      }
      outage.reason = reason;
      outage.attempts++;
      retries++;
      long failing = now - outage.sinceNanos;
      if (failing > giveUpNanos) {
        GaveUpException gaveUp = new GaveUpException("stage " + stage.label() + " kept failing for "
            + TimeUnit.NANOSECONDS.toSeconds(failing) + " s (" + outage.attempts + " attempts, faults.give-up-after "
            + TimeUnit.NANOSECONDS.toSeconds(giveUpNanos) + " s): " + reason, cause);
        lifecycle.fail(gaveUp);
        throw gaveUp;
      }
      if (now - outage.loggedNanos >= TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS)) {
        outage.loggedNanos = now;
        log.warn("Stage {} still failing after {} attempts over {} s: {}", stage.label(), outage.attempts,
            TimeUnit.NANOSECONDS.toSeconds(failing), reason);
      }
      return backoff.delay(outage.attempts);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code stage} can work again (its new client is ready) but has not yet succeeded: the pipeline
   * runs again, so that work reaches the stage at all (a sink whose pending work was all replayed
   * would otherwise wait forever for something to write), while a new failure before a success
   * goes on with the same outage.
   */
  public void resumed(Stage stage) {
    lock.lock();
    try {
      Outage outage = outages.remove(stage);
      if (outage == null) {
        return;
      }
      probation.put(stage, outage);
      if (outages.isEmpty()) {
        lifecycle.moveTo(State.RUNNING);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails the pipeline if a stage has been in an outage for longer than the give-up time, even
   * when it has not failed again since (a stage waiting for work that never comes must not keep
   * the pipeline RETRYING in silence). Called about once a second with the watchdog.
   */
  public void expire() {
    lock.lock();
    try {
      long now = nanos.getAsLong();
      for (Map.Entry<Stage, Outage> e : outages.entrySet()) {
        long failing = now - e.getValue().sinceNanos;
        if (failing > giveUpNanos) {
          lifecycle.fail(new GaveUpException("stage " + e.getKey().label() + " kept failing for "
              + TimeUnit.NANOSECONDS.toSeconds(failing) + " s (" + e.getValue().attempts + " attempts, faults.give-up-after "
              + TimeUnit.NANOSECONDS.toSeconds(giveUpNanos) + " s, no recovery since): " + e.getValue().reason, null));
          return;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** {@code stage} succeeded; ends its outage, if it had one. */
  public void recovered(Stage stage) {
    lock.lock();
    try {
      Outage outage = outages.remove(stage);
      if (outage == null) {
        outage = probation.remove(stage);
      } else {
        probation.remove(stage);
      }
      if (outage == null) {
        return;
      }
      log.info("Stage {} recovered after {} attempts over {} ms", stage.label(), outage.attempts,
          TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong() - outage.sinceNanos));
      if (outages.isEmpty()) {
        lifecycle.moveTo(State.RUNNING);
      }
    } finally {
      lock.unlock();
    }
  }

  /** True while {@code stage} is in an outage. */
  public boolean isRetrying(Stage stage) {
    lock.lock();
    try {
      return outages.containsKey(stage);
    } finally {
      lock.unlock();
    }
  }

  /** A stage's outage as health shows it: how long it has been failing and what it last failed with. */
  public record Failing(Duration duration, String reason) {}

  /** Stages in an outage, for health. */
  public Map<Stage, Failing> outages() {
    lock.lock();
    try {
      Map<Stage, Failing> copy = new EnumMap<>(Stage.class);
      long now = nanos.getAsLong();
      outages.forEach((stage, outage) -> copy.put(stage, new Failing(Duration.ofNanos(now - outage.sinceNanos), outage.reason)));
      return copy;
    } finally {
      lock.unlock();
    }
  }

  /** One line saying what {@code failure} is (see the constructor). */
  public String explain(Throwable failure) {
    return explain.apply(failure);
  }

  /** Retries since start, all stages. */
  public long retries() {
    lock.lock();
    try {
      return retries;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits {@code pause} before a retry; returns early, false, once the pipeline is stopping (so a
   * close never waits out a backoff). True when the stage should try again.
   */
  public boolean pause(Duration pause) throws InterruptedException {
    long deadline = System.nanoTime() + pause.toNanos();
    lock.lock();
    try {
      while (!lifecycle.state().isStopping()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        woken.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes stages waiting in {@link #pause} to look at the lifecycle again. */
  public void wake() {
    lock.lock();
    try {
      woken.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
