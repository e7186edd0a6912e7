package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Input limits; what exceeds them goes to the dead-letter topic undecoded.
 *
 * @param maxRecordBytes largest ImageEvent record (key + value) accepted
 * @param maxPixels largest image, by the pixel count its header declares (decompression bombs)
 * @param maxDeadLetterBytes largest dead-letter value written; a larger original is cut to this
 *     size and marked with a header, so that it cannot block its partition
 */
@ConfigurationProperties(LimitsConfig.PREFIX)
public record LimitsConfig(
    @Bindable(defaultValue = "" + DEFAULT_MAX_RECORD_BYTES) int maxRecordBytes,
    @Bindable(defaultValue = "" + DEFAULT_MAX_PIXELS) long maxPixels,
    @Bindable(defaultValue = "" + DEFAULT_MAX_DEAD_LETTER_BYTES) int maxDeadLetterBytes) {

  public static final String PREFIX = "visionstream.classifier.limits";
  public static final int DEFAULT_MAX_RECORD_BYTES = 8 << 20;
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
  public static final int DEFAULT_MAX_DEAD_LETTER_BYTES = 900 << 10;
}
