package io.visionstream.classifier.health;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Liveness;
import io.micronaut.management.health.indicator.annotation.Readiness;
import io.visionstream.classifier.ClassifierService;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.reactivestreams.Publisher;

/** Health of the classifier: alive unless the pipeline failed; ready when it runs, the model is loaded and the brokers answer. */
public final class PipelineHealth {

  private PipelineHealth() {}

  private static Map<String, Object> details(ClassifierService service) {
    ClassifierPipeline pipeline = service.pipeline();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", pipeline.state().name());
    details.put("model", service.model().name() + " " + service.model().version());
    details.put("inFlightRecords", pipeline.budget().records());
    details.put("paused", pipeline.pollLoop().paused());
    if (pipeline.failure() != null) {
      details.put("failure", pipeline.failure().toString());
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
      HealthStatus status = service.pipeline().state() == ClassifierPipeline.State.FAILED ? HealthStatus.DOWN : HealthStatus.UP;
      return Publishers.just(HealthResult.builder("classifier", status).details(details(service)).build());
    }
  }

  /** Readiness: the pipeline runs, the model is loaded, and the brokers answer within two seconds. */
  @Singleton
  @Readiness
  public static final class Ready implements HealthIndicator, AutoCloseable {

    private final ClassifierService service;
    private final Admin admin;

    public Ready(ClassifierService service, KafkaClientsConfig kafka) {
      this.service = service;
      Map<String, Object> config = new LinkedHashMap<>(kafka.producerProperties());
      config.keySet().retainAll(AdminClientConfig.configNames());
      this.admin = Admin.create(config);
    }

    @Override
    public Publisher<HealthResult> getResult() {
      Map<String, Object> details = details(service);
      boolean brokers;
      try {
        int nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
        details.put("brokers", nodes);
        brokers = nodes > 0;
      } catch (Exception e) {
        details.put("brokers", "unreachable: " + e);
        brokers = false;
      }
      boolean running = service.pipeline().state() == ClassifierPipeline.State.RUNNING;
      return Publishers.just(HealthResult.builder("classifier", running && brokers ? HealthStatus.UP : HealthStatus.DOWN)
          .details(details).build());
    }

    @PreDestroy
    @Override
    public void close() {
      admin.close();
    }
  }
}
