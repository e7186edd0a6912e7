package io.visionstream.classifier.work;

import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.schemas.ImageEvent;
import java.time.Clock;

/** The drop-stale rule: under {@code drop-stale}, a frame captured longer ago than the maximum age is not classified. */
public final class FrameAge {

  private final boolean dropStale;
  private final long maxAgeMillis;
  private final Clock clock;

  public FrameAge(LoadPolicyConfig config, Clock clock) {
    this.dropStale = config.policy() == LoadPolicy.DROP_STALE;
    this.maxAgeMillis = config.maxFrameAge().toMillis();
    this.clock = clock;
  }

  public boolean isStale(ImageEvent event) {
    return dropStale && clock.millis() - event.getCapturedAt().toEpochMilli() > maxAgeMillis;
  }
}
