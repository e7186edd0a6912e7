package io.visionstream.service;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Says which Kafka principal was refused what, for a fault that is the brokers refusing this
 * service (a wrong password, a missing ACL, a certificate the client does not trust or that has
 * expired). These are faults of the system like any broker failure: retried, never dead-lettered
 * or committed past; this only names them, in the log and in the health details, without a secret.
 */
public final class KafkaAccess {

  private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

  private final String principal;
  private final String groupId;
  private final String transactionalId;

  /**
   * @param clientConfig the client configuration (its security protocol and login name the principal)
   * @param groupId the consumer group, named in a group authorization failure
   * @param transactionalId the transactional id (null without exactly-once)
   */
  public KafkaAccess(Map<String, Object> clientConfig, String groupId, String transactionalId) {
    this.principal = principal(clientConfig);
    this.groupId = groupId;
    this.transactionalId = transactionalId;
  }

  /** {@code User:<name>} of the SASL login, or {@code User:ANONYMOUS} without SASL. */
  public static String principal(Map<String, Object> clientConfig) {
    String protocol = String.valueOf(clientConfig.getOrDefault("security.protocol", "PLAINTEXT"));
    if (!protocol.toUpperCase(java.util.Locale.ROOT).startsWith("SASL")) {
      return "User:ANONYMOUS";
    }
    Object jaas = clientConfig.get("sasl.jaas.config");
    Matcher m = USERNAME.matcher(jaas == null ? "" : jaas.toString());
    return m.find() ? "User:" + m.group(1) : "the SASL login (no username in sasl.jaas.config)";
  }

  public String principal() {
    return principal;
  }

  /** What the brokers refused, if {@code failure} (or a cause) is an access failure. */
  public Optional<String> refusal(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SaslAuthenticationException) {
        return Optional.of("the brokers refused to authenticate " + principal + " (wrong user name or password?): "
            + t.getMessage());
      }
      if (t instanceof SslAuthenticationException) {
        return Optional.of("the TLS handshake with the brokers failed for " + principal + ": " + rootMessage(t));
      }
      if (t instanceof TopicAuthorizationException topics) {
        return Optional.of(principal + " is not authorized for topic(s) " + topics.unauthorizedTopics()
            + " (an ACL is missing)");
      }
      if (t instanceof GroupAuthorizationException group) {
        return Optional.of(principal + " is not authorized for consumer group "
            + (group.groupId() != null ? group.groupId() : groupId) + " (an ACL is missing)");
      }
      if (t instanceof TransactionalIdAuthorizationException) {
        return Optional.of(principal + " is not authorized for transactional id " + transactionalId + " (an ACL is missing)");
      }
      if (t instanceof ClusterAuthorizationException) {
        return Optional.of(principal + " is not authorized for a cluster operation: " + t.getMessage());
      }
      if (t instanceof AuthorizationException || t instanceof AuthenticationException) {
        return Optional.of(principal + " was refused: " + t.getMessage());
      }
      if (t instanceof SSLException) {
        return Optional.of("the TLS handshake with the brokers failed for " + principal + ": " + rootMessage(t));
      }
    }
    return Optional.empty();
  }

  /** The refusal, or the failure itself, in one line. */
  public String explain(Throwable failure) {
    return refusal(failure).orElse(failure.toString());
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
