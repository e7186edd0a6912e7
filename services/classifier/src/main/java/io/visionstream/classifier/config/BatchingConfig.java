package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Micro-batching: a batch goes to the model when it holds {@code maxBatchSize} images or when its
 * oldest image has waited {@code maxBatchWait}, whichever comes first.
 *
 * @param maxBatchSize most images per model run
 * @param maxBatchWait longest an image waits in the batcher for others to join it
 * @param decodeThreads threads decoding and preprocessing images
 * @param decodeBatchSize most images one decode thread preprocesses in one TensorFlow call
 */
@ConfigurationProperties(BatchingConfig.PREFIX)
public record BatchingConfig(
    @Bindable(defaultValue = "" + DEFAULT_MAX_BATCH_SIZE) int maxBatchSize,
    @Bindable(defaultValue = DEFAULT_MAX_BATCH_WAIT) Duration maxBatchWait,
    @Bindable(defaultValue = "" + DEFAULT_DECODE_THREADS) int decodeThreads,
    @Bindable(defaultValue = "" + DEFAULT_DECODE_BATCH_SIZE) int decodeBatchSize) {

  public static final String PREFIX = "visionstream.classifier.batching";
  public static final int DEFAULT_MAX_BATCH_SIZE = 16;
  public static final String DEFAULT_MAX_BATCH_WAIT = "50ms";
  public static final int DEFAULT_DECODE_THREADS = 1;
  public static final int DEFAULT_DECODE_BATCH_SIZE = 8;
}
