package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * @param policy {@code never-drop} (default) or {@code drop-stale}
 * @param maxFrameAge with {@code drop-stale}: frames captured longer ago than this are skipped
 */
@ConfigurationProperties(LoadPolicyConfig.PREFIX)
public record LoadPolicyConfig(
    @Bindable(defaultValue = "NEVER_DROP") LoadPolicy policy,
    @Bindable(defaultValue = DEFAULT_MAX_FRAME_AGE) Duration maxFrameAge) {

  public static final String PREFIX = "visionstream.classifier.load";
  public static final String DEFAULT_MAX_FRAME_AGE = "2s";
}
