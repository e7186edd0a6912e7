package io.visionstream.service.tracing;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Tracing settings ({@value #PREFIX}); off by default.
 *
 * @param enabled make spans and export them
 * @param otlpEndpoint the OTLP/HTTP traces endpoint of a collector
 * @param sampleRatio share of traces started here that are kept, in [0, 1]; a trace sampled
 *     upstream (its {@code traceparent} says so) is always kept
 */
@ConfigurationProperties(TracingConfig.PREFIX)
public record TracingConfig(
    @Bindable(defaultValue = "false") boolean enabled,
    @Bindable(defaultValue = "http://127.0.0.1:4318/v1/traces") String otlpEndpoint,
    @Bindable(defaultValue = "1.0") double sampleRatio) {

  public static final String PREFIX = "visionstream.tracing";
}
