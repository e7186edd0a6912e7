package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Topics the classifier reads and writes.
 *
 * @param input ImageEvents to classify
 * @param predictions where Predictions go, keyed by source id
 * @param deadLetters where unreadable or rejected ImageEvents go, with their original bytes and
 *     error headers
 */
@ConfigurationProperties(TopicsConfig.PREFIX)
public record TopicsConfig(
    @Bindable(defaultValue = DEFAULT_INPUT) String input,
    @Bindable(defaultValue = DEFAULT_PREDICTIONS) String predictions,
    @Bindable(defaultValue = DEFAULT_DEAD_LETTERS) String deadLetters) {

  public static final String PREFIX = "visionstream.classifier.topics";
  public static final String DEFAULT_INPUT = "image-events";
  public static final String DEFAULT_PREDICTIONS = "predictions";
  public static final String DEFAULT_DEAD_LETTERS = "image-events.dlq";

  public static TopicsConfig defaults() {
    return new TopicsConfig(DEFAULT_INPUT, DEFAULT_PREDICTIONS, DEFAULT_DEAD_LETTERS);
  }
}
