package io.visionstream.classifier.health;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Liveness;
import io.micronaut.management.health.indicator.annotation.Readiness;
import io.visionstream.classifier.ClassifierService;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.reactivestreams.Publisher;

/**
 * Health of the classifier. Alive unless the pipeline FAILED (a fault outlasted its retries, a
 * thread died, a stage stalled): then restart the process. Ready only while RUNNING with the
 * brokers answering: not while STARTING, RETRYING a system fault, or DRAINING.
 */
public final class PipelineHealth {

  private PipelineHealth() {}

  private static Map<String, Object> details(ClassifierService service) {
    ClassifierPipeline pipeline = service.pipeline();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", pipeline.state().name());
    details.put("model", service.models().details());
    details.put("inFlightRecords", pipeline.budget().records());
    details.put("paused", !pipeline.pausedPartitions().isEmpty());
    Map<String, Object> retrying = new LinkedHashMap<>();
    pipeline.outages().forEach((stage, failing) -> retrying.put(stage.label(), "failing for "
        + failing.duration().toSeconds() + " s" + (failing.reason() == null ? "" : ": " + failing.reason())));
    if (!retrying.isEmpty()) {
      details.put("retrying", retrying);
    }
    if (pipeline.state() == State.STARTING && pipeline.startupProblem() != null) {
      details.put("waitingForBrokers", pipeline.startupProblem());
    }
    if (pipeline.failure() != null) {
      details.put("failure", pipeline.failure().getMessage());
    }
    return details;
  }

  /** Liveness: DOWN only once the pipeline has failed (restart the process). */
  @Singleton
  @Liveness
  public static final class Alive implements HealthIndicator {

    private final ClassifierService service;

    public Alive(ClassifierService service) {
      this.service = service;
    }

    @Override
    public Publisher<HealthResult> getResult() {
      HealthStatus status = service.pipeline().state() == State.FAILED ? HealthStatus.DOWN : HealthStatus.UP;
      return Publishers.just(HealthResult.builder("classifier", status).details(details(service)).build());
    }
  }

  /** Readiness: RUNNING, and the brokers answer within two seconds. */
  @Singleton
  @Readiness
  public static final class Ready implements HealthIndicator, AutoCloseable {

    private static final Duration PROBE = Duration.ofSeconds(2);

    private final ClassifierService service;
    private final Admin admin;

    public Ready(ClassifierService service, KafkaClientsConfig kafka) {
      this.service = service;
      Map<String, Object> config = new LinkedHashMap<>(kafka.producerProperties());
      config.keySet().retainAll(AdminClientConfig.configNames());
      // a probe answers within its deadline; unanswered requests must not pile up or hold up shutdown
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE.toMillis());
      config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE.toMillis());
      this.admin = Admin.create(config);
    }

    @Override
    public Publisher<HealthResult> getResult() {
      Map<String, Object> details = details(service);
      boolean brokers;
      try {
        int nodes = admin.describeCluster().nodes().get(PROBE.toMillis(), TimeUnit.MILLISECONDS).size();
        details.put("brokers", nodes);
        brokers = nodes > 0;
      } catch (Exception e) {
        details.put("brokers", "unreachable: " + e);
        brokers = false;
      }
      boolean running = service.pipeline().state() == State.RUNNING;
      return Publishers.just(HealthResult.builder("classifier", running && brokers ? HealthStatus.UP : HealthStatus.DOWN)
          .details(details).build());
    }

    @PreDestroy
    @Override
    public void close() {
      admin.close(Duration.ofSeconds(1));
    }
  }
}
