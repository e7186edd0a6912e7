package io.visionstream.moderation.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.visionstream.moderation.topology.TaggingTopology;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The tagging topology.
 *
 * @param predictions the classifier's predictions
 * @param tags CameraTags summaries, keyed by source id
 * @param deadLetters unreadable predictions
 * @param windowSize tumbling window length, by captured_at
 * @param grace how long after a window's end late frames still count
 * @param minScore lowest top-1 score whose label is counted
 * @param retention how long windows stay queryable over HTTP
 * @param windowsServed how many of the latest windows {@code /tags/{sourceId}} returns by default
 * @param queryTokenFile a file holding the bearer token every tag query must present (and that
 *     instances present to each other when they forward a query); none: the tag queries are open
 *     to whoever reaches the public port, which binds to loopback by default
 */
@ConfigurationProperties(TaggingConfig.PREFIX)
public record TaggingConfig(
    @Bindable(defaultValue = "predictions") String predictions,
    @Bindable(defaultValue = "camera-tags") String tags,
    @Bindable(defaultValue = "tagging.dlq") String deadLetters,
    @Bindable(defaultValue = "1m") Duration windowSize,
    @Bindable(defaultValue = "30s") Duration grace,
    @Bindable(defaultValue = "0.5") float minScore,
    @Bindable(defaultValue = "1h") Duration retention,
    @Bindable(defaultValue = "10") int windowsServed,
    @Nullable Path queryTokenFile) {

  public static final String PREFIX = "visionstream.tagging";

  public TaggingTopology.Settings settings() {
    try {
      return new TaggingTopology.Settings(predictions, tags, deadLetters, windowSize, grace, minScore, retention);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid " + PREFIX + ".window-size or .grace: " + e.getMessage(), e);
    }
  }
}
