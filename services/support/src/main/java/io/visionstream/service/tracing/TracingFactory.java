package io.visionstream.service.tracing;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.visionstream.service.SettingsException;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The service's {@link Tracing}: {@link Tracing#OFF} unless {@code visionstream.tracing.enabled}. */
@Factory
public class TracingFactory {

  private static final Logger log = LoggerFactory.getLogger(TracingFactory.class);

  @Singleton
  @Bean(preDestroy = "close")
  Tracing tracing(TracingConfig config, @Value("${micronaut.application.name}") String service) {
    if (!config.enabled()) {
      return Tracing.OFF;
    }
    List<String> problems = new ArrayList<>();
    URI endpoint = null;
    try {
      endpoint = URI.create(config.otlpEndpoint());
    } catch (IllegalArgumentException e) {
      // reported below
    }
    if (endpoint == null || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
        || endpoint.getHost() == null) {
      problems.add(TracingConfig.PREFIX + ".otlp-endpoint must be an http(s) URL of an OTLP/HTTP traces endpoint (got "
          + config.otlpEndpoint() + ")");
    }
    if (!(config.sampleRatio() >= 0 && config.sampleRatio() <= 1)) {
      problems.add(TracingConfig.PREFIX + ".sample-ratio must be in [0, 1] (got " + config.sampleRatio() + ")");
    }
    if (!problems.isEmpty()) {
      throw new SettingsException("tracing", problems);
    }
    log.info("Tracing on: spans of {} go to {} (sample ratio {})", service, config.otlpEndpoint(), config.sampleRatio());
    return Tracing.otlp(service, config.otlpEndpoint(), config.sampleRatio());
  }
}
