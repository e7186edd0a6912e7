package io.visionstream.classifier.pipeline;

import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.service.KafkaAccess;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up's wait for the brokers: asks for the cluster's nodes until one answers, logging one line
 * every {@value #LOG_EVERY_SECONDS} s with the attempts so far, and gives up after the start-up
 * timeout with an error naming the bootstrap servers.
 */
final class BrokerCheck {

  private static final Logger log = LoggerFactory.getLogger(BrokerCheck.class);
  static final int LOG_EVERY_SECONDS = 10;
  private static final Duration ATTEMPT = Duration.ofSeconds(2);

  /** No broker answered within the start-up timeout. */
  static final class BrokersUnreachableException extends RuntimeException {
    BrokersUnreachableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Map<String, Object> adminConfig;
  private final Duration timeout;
  private final String bootstrapServers;
  private final KafkaAccess access;
  private volatile String problem;

  BrokerCheck(Map<String, Object> clientConfig, Duration timeout, KafkaAccess access) {
    this.access = access;
    this.adminConfig = new HashMap<>(clientConfig);
    this.adminConfig.keySet().retainAll(AdminClientConfig.configNames());
    this.adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ATTEMPT.toMillis());
    this.adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ATTEMPT.toMillis());
    this.timeout = timeout;
    this.bootstrapServers = String.valueOf(clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
  }

  /** Why the brokers have not answered (naming the principal when they refused it); null once they have. */
  String problem() {
    return problem;
  }

  /**
   * Waits until a broker answers; false if the pipeline began to close meanwhile.
   *
   * @throws BrokersUnreachableException after the start-up timeout
   */
  boolean await(Lifecycle lifecycle) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long nextLog = start + TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS);
    int attempts = 0;
    Exception last = null;
    try (Admin admin = Admin.create(adminConfig)) {
      while (!lifecycle.state().isStopping()) {
        attempts++;
        try {
          int nodes = admin.describeCluster().nodes().get(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS).size();
          if (nodes > 0) {
            if (attempts > 1) {
              log.info("Brokers at {} answered after {} attempts over {} s", bootstrapServers, attempts,
                  TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
            }
            problem = null;
            return true;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
          Throwable cause = e.getCause() == null ? e : e.getCause();
          String refusal = access.refusal(cause).orElse(null);
          if (refusal != null && !refusal.equals(problem)) {
            log.error("Brokers at {} refused this classifier: {}; retrying until {}.startup-timeout ({} s)", bootstrapServers,
                refusal, DeliveryConfig.PREFIX, timeout.toSeconds());
          }
          problem = refusal != null ? refusal : "no answer from " + bootstrapServers + ": " + cause
              + (access.principal().equals("User:ANONYMOUS") ? " (this classifier connects without TLS or SASL; if the "
                  + "brokers' listener needs them, give it a login with visionstream.kafka.client-config)" : "");
        }
        long now = System.nanoTime();
        if (now > deadline) {
          throw new BrokersUnreachableException("no broker at " + bootstrapServers + " answered within "
              + timeout.toSeconds() + " s (" + attempts + " attempts; " + DeliveryConfig.PREFIX + ".startup-timeout): "
              + (last == null ? "no nodes" : problem), last);
        }
        if (now > nextLog) {
          nextLog = now + TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS);
          log.warn("Waiting for the brokers at {}: {} attempts over {} s, giving up after {} s: {}", bootstrapServers, attempts,
              TimeUnit.NANOSECONDS.toSeconds(now - start), timeout.toSeconds(), problem);
        }
        Thread.sleep(250);
      }
      return false;
    }
  }
}
