package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * How the classifier treats faults of the system itself (model, device, broker, producer): never
 * by dead-lettering, always by retrying.
 *
 * @param giveUpAfter how long a stage may keep failing before the pipeline fails (state FAILED,
 *     liveness DOWN, exit code 1) so that an orchestrator restarts it
 * @param initialBackoff pause before the first retry; each further retry doubles it, with jitter
 * @param maxBackoff longest pause between retries
 * @param stallTimeout how long work may wait for a stage that makes no progress (and is not
 *     retrying) before the pipeline fails as stalled
 */
@ConfigurationProperties(FaultsConfig.PREFIX)
public record FaultsConfig(
    @Bindable(defaultValue = DEFAULT_GIVE_UP_AFTER) Duration giveUpAfter,
    @Bindable(defaultValue = DEFAULT_INITIAL_BACKOFF) Duration initialBackoff,
    @Bindable(defaultValue = DEFAULT_MAX_BACKOFF) Duration maxBackoff,
    @Bindable(defaultValue = DEFAULT_STALL_TIMEOUT) Duration stallTimeout) {

  public static final String PREFIX = "visionstream.classifier.faults";
  public static final String DEFAULT_GIVE_UP_AFTER = "5m";
  public static final String DEFAULT_INITIAL_BACKOFF = "200ms";
  public static final String DEFAULT_MAX_BACKOFF = "30s";
  public static final String DEFAULT_STALL_TIMEOUT = "5m";

  /** The documented defaults. */
  public static FaultsConfig defaults() {
    return new FaultsConfig(Duration.ofMinutes(5), Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofMinutes(5));
  }
}
