package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The in-flight budget: records taken from Kafka and not yet written (prediction or dead letter
 * acknowledged by the broker). Each record costs its encoded size plus its decoded input tensor.
 * When the next record would not fit, every assigned partition is paused (the consumer keeps
 * polling and stays in its group) until the in-flight work falls below {@code resumeRatio} of
 * both limits. The consumer's own fetch buffer is kept to a quarter of the byte budget (at most
 * 50 MiB, at least one record), so memory stays bounded by the budget whatever the input rate.
 *
 * @param maxInFlightRecords most records in flight
 * @param maxInFlightBytes most bytes in flight
 * @param resumeRatio resume when records and bytes are at or below this share of their limits, in (0, 1)
 */
@ConfigurationProperties(BackpressureConfig.PREFIX)
public record BackpressureConfig(
    @Bindable(defaultValue = "" + DEFAULT_MAX_IN_FLIGHT_RECORDS) int maxInFlightRecords,
    @Bindable(defaultValue = "" + DEFAULT_MAX_IN_FLIGHT_BYTES) long maxInFlightBytes,
    @Bindable(defaultValue = "" + DEFAULT_RESUME_RATIO) double resumeRatio) {

  public static final String PREFIX = "visionstream.classifier.backpressure";
  public static final int DEFAULT_MAX_IN_FLIGHT_RECORDS = 128;
  public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 256L << 20;
  public static final double DEFAULT_RESUME_RATIO = 0.5;
}
