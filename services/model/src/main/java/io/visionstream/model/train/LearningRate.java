package io.visionstream.model.train;

import java.util.Locale;

/**
 * Learning rate per optimizer step: a linear warm-up from {@code peak / 10} to {@code peak} over
 * {@code warmupSteps}, then {@code COSINE} decay to zero at {@code totalSteps} (Loshchilov &amp; Hutter's
 * SGDR without restarts) or {@code CONSTANT}.
 */
public record LearningRate(Schedule schedule, float peak, long warmupSteps, long totalSteps) {

  public enum Schedule {
    COSINE, CONSTANT;

    public static Schedule parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown learning-rate schedule '" + text + "': use cosine or constant");
      }
    }
  }

  public LearningRate {
    if (!(peak > 0) || warmupSteps < 0 || totalSteps <= 0) {
      throw new IllegalArgumentException("learning rate " + peak + " must be positive, warm-up " + warmupSteps
          + " non-negative, total steps " + totalSteps + " positive");
    }
  }

  public float at(long step) {
    if (step < warmupSteps) {
      return (float) (peak * (0.1 + 0.9 * step / (double) warmupSteps));
    }
    if (schedule == Schedule.CONSTANT) {
      return peak;
    }
    double progress = Math.min(1.0, (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps));
    return (float) (peak * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}
