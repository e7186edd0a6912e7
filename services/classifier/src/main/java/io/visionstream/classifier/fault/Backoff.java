package io.visionstream.classifier.fault;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of
 * {@code min(max, initial × 2^(n-1))}, so that replicas hitting the same fault do not retry in step.
 */
public final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private final RandomGenerator random;

  public Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The pause before attempt {@code attempt} (1 = the first retry). */
  public Duration delay(int attempt) {
    int doublings = Math.min(Math.max(attempt - 1, 0), 40);
    long ceiling = initialNanos > maxNanos >> doublings ? maxNanos : Math.min(maxNanos, initialNanos << doublings);
    long half = ceiling / 2;
    return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
  }
}
