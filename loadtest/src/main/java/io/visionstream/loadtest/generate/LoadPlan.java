package io.visionstream.loadtest.generate;

import io.visionstream.loadtest.frames.ResolutionMix;
import java.time.Duration;

/**
 * What the generator sends: {@code cameras} cameras sharing {@code rate} frames per second evenly
 * (each camera at rate/cameras, their frames interleaved), for {@code duration} or until
 * {@code count} events (when positive) have been sent.
 */
public record LoadPlan(int cameras, double rate, ResolutionMix mix, Duration duration, long count, Duration warmup) {

  public LoadPlan {
    if (cameras < 1) {
      throw new IllegalArgumentException("--cameras must be at least 1, got " + cameras);
    }
    if (!(rate > 0)) {
      throw new IllegalArgumentException("the send rate must be positive, got " + rate + " frames/s");
    }
    if (count <= 0 && (duration == null || duration.isZero() || duration.isNegative())) {
      throw new IllegalArgumentException("give a positive --duration or --count");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
    }
  }

  /** Events the run will send if the generator keeps up. */
  public long plannedEvents() {
    return count > 0 ? count : (long) Math.ceil(rate * duration.toNanos() / 1e9);
  }

  /** Intended send time of event {@code i}, nanoseconds after the start. */
  public long offsetNanos(long i) {
    return Math.round(i * 1e9 / rate);
  }

  public LoadPlan withRate(double newRate) {
    return new LoadPlan(cameras, newRate, mix, duration, count, warmup);
  }
}
