package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * @param guarantee {@code at-least-once} (default) or {@code exactly-once}
 * @param groupId consumer group of the classifier instances
 * @param transactionalId with exactly-once: this instance's transactional id, stable across its
 *     restarts and different from every other instance's; empty (the default) derives it from the
 *     host name ({@code HOSTNAME}, a pod's name on Kubernetes): {@code visionstream-classifier-<host>}.
 *     Replicas sharing a host name (host networking) must each set their own.
 * @param commitInterval with at-least-once: how often completed offsets are committed
 * @param revocationTimeout on rebalance, how long in-flight work of revoked partitions may finish
 *     before it is abandoned (its records are then processed again by the new owner)
 * @param shutdownTimeout on stop, how long in-flight work may drain before the rest is abandoned;
 *     the process exits within about this time even with the brokers unreachable
 * @param startupTimeout how long start-up waits for the brokers before the service fails (exit code 1)
 */
@ConfigurationProperties(DeliveryConfig.PREFIX)
public record DeliveryConfig(
    @Bindable(defaultValue = "AT_LEAST_ONCE") DeliveryGuarantee guarantee,
    @Bindable(defaultValue = DEFAULT_GROUP_ID) String groupId,
    @Bindable(defaultValue = DEFAULT_TRANSACTIONAL_ID) String transactionalId,
    @Bindable(defaultValue = DEFAULT_COMMIT_INTERVAL) Duration commitInterval,
    @Bindable(defaultValue = DEFAULT_REVOCATION_TIMEOUT) Duration revocationTimeout,
    @Bindable(defaultValue = DEFAULT_SHUTDOWN_TIMEOUT) Duration shutdownTimeout,
    @Bindable(defaultValue = DEFAULT_STARTUP_TIMEOUT) Duration startupTimeout) {

  public static final String PREFIX = "visionstream.classifier.delivery";
  public static final String DEFAULT_GROUP_ID = "visionstream-classifier";
  public static final String DEFAULT_TRANSACTIONAL_ID = "";
  public static final String TRANSACTIONAL_ID_PREFIX = "visionstream-classifier-";
  public static final String DEFAULT_COMMIT_INTERVAL = "500ms";
  public static final String DEFAULT_REVOCATION_TIMEOUT = "10s";
  public static final String DEFAULT_SHUTDOWN_TIMEOUT = "20s";
  public static final String DEFAULT_STARTUP_TIMEOUT = "60s";

  /**
   * The transactional id to use: the configured one, or {@code visionstream-classifier-<host>} from
   * {@code HOSTNAME} (or the local host name) when none is set.
   */
  public String effectiveTransactionalId() {
    if (transactionalId != null && !transactionalId.isBlank()) {
      return transactionalId;
    }
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        host = "localhost";
      }
    }
    return TRANSACTIONAL_ID_PREFIX + host;
  }
}
