package io.visionstream.moderation.health;

import io.micronaut.configuration.kafka.streams.event.BeforeKafkaStreamStart;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.visionstream.service.KafkaAccess;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches both Streams applications. A stream thread's fatal error (the brokers refusing this
 * service's user, a missing ACL, a TLS failure, any error Kafka Streams does not recover from) is
 * logged once with what was refused and to which principal, shown as {@code streamsFailure} in
 * {@code /health} (DOWN), and ends the application; when an application reaches ERROR the service
 * exits with code 1, so that the orchestrator restarts it, instead of running on without judging.
 * Nothing is committed for records not processed.
 */
@Singleton
public class StreamsWatch extends AbstractHealthIndicator<Map<String, Object>>
    implements ApplicationEventListener<BeforeKafkaStreamStart> {

  private static final Logger log = LoggerFactory.getLogger(StreamsWatch.class);
  static final int EXIT_CODE = 1;

  private final KafkaAccess access;
  private final Map<String, String> failures = new LinkedHashMap<>();
  private final AtomicBoolean exiting = new AtomicBoolean();

  public StreamsWatch(Environment environment) {
    Map<String, Object> client = new LinkedHashMap<>();
    environment.getProperty("kafka.security.protocol", String.class).ifPresent(v -> client.put("security.protocol", v));
    environment.getProperty("kafka.sasl.jaas.config", String.class).ifPresent(v -> client.put("sasl.jaas.config", v));
    this.access = new KafkaAccess(client, "(the application id)", "(exactly_once_v2)");
  }

  @Override
  public void onApplicationEvent(BeforeKafkaStreamStart event) {
    KafkaStreams streams = event.getKafkaStreams();
    String application = applicationId(streams);
    streams.setUncaughtExceptionHandler(failure -> {
      String reason = access.explain(failure);
      synchronized (failures) {
        failures.put(application, reason);
      }
      log.error("Kafka Streams application {} stopped: {}", application, reason, failure);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.ERROR && exiting.compareAndSet(false, true)) {
        log.error("Kafka Streams application {} is in ERROR; the service exits with code {} to be restarted", application,
            EXIT_CODE);
        // not on the stream thread: the shutdown hook closes the applications and waits for their threads
        Thread exit = new Thread(() -> System.exit(EXIT_CODE), "moderation-exit");
        exit.setDaemon(false);
        exit.start();
      }
    });
  }

  /** The application id, from a stream thread's name ({@code <application id>-<process id>-StreamThread-<n>}). */
  private static String applicationId(KafkaStreams streams) {
    return streams.metadataForLocalThreads().stream().findFirst()
        .map(t -> t.threadName().replaceAll("-[0-9a-f-]{36}-StreamThread-\\d+$", "")).orElse("a Kafka Streams application");
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    synchronized (failures) {
      healthStatus = failures.isEmpty() ? HealthStatus.UP : HealthStatus.DOWN;
      return new LinkedHashMap<>(failures);
    }
  }

  @Override
  protected String getName() {
    return "streamsFailure";
  }
}
