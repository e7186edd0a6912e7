package io.visionstream.classifier.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's {@link State}, changed only along the legal transitions, from any thread. The
 * first failure is kept and logged once; CLOSED and FAILED are final, so neither overwrites the
 * other.
 */
public final class Lifecycle {

  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final List<Runnable> onFailure = new CopyOnWriteArrayList<>();

  /** Runs {@code action} on the failing thread when the pipeline fails; it must not block. */
  public void onFailure(Runnable action) {
    onFailure.add(action);
  }

  public State state() {
    return state.get();
  }

  /** Moves to {@code next} if that is legal from the current state; false (and no change) otherwise. */
  public boolean moveTo(State next) {
    if (next == State.FAILED) {
      throw new IllegalArgumentException("use fail(cause) to fail the pipeline");
    }
    State current;
    do {
      current = state.get();
      if (!current.canMoveTo(next)) {
        return false;
      }
    } while (!state.compareAndSet(current, next));
    if (next.isFinal()) {
      ended.countDown();
    }
    return true;
  }

  /**
   * Moves to FAILED with {@code cause} unless already final; logs the cause once. True if this
   * call failed the pipeline.
   */
  public boolean fail(Throwable cause) {
    State current;
    do {
      current = state.get();
      if (current.isFinal()) {
        return false;
      }
    } while (!state.compareAndSet(current, State.FAILED));
    failure.set(cause);
    log.error("Classifier pipeline FAILED (was {}): {}", current, cause.getMessage(), cause);
    ended.countDown();
    for (Runnable action : onFailure) {
      try {
        action.run();
      } catch (RuntimeException e) {
        log.warn("Stopping after the failure: {}", e.toString());
      }
    }
    return true;
  }

  /** The cause of FAILED, or null. */
  public Throwable failure() {
    return failure.get();
  }

  /** Waits until CLOSED or FAILED; false if the timeout passed first. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
