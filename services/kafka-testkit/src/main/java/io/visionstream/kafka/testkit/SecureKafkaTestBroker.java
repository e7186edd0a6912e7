package io.visionstream.kafka.testkit;

import io.visionstream.kafka.local.LocalKafkaSecurity;
import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import java.nio.file.Path;
import java.util.Map;

/**
 * The secured broker of a test run ({@code LocalKafkaBroker} with {@code --secure}: SASL_SSL,
 * SCRAM users, deny-by-default ACLs), in this JVM. Declare a parameter of this type to get it; it
 * is started once per run, beside the plain broker. {@link #clientConfig(Map)} and
 * {@link #createTopic} act as the admin.
 */
public interface SecureKafkaTestBroker extends KafkaTestBroker {

  /** {@code user}'s client configuration (bootstrap servers included) plus {@code extra}. */
  Map<String, Object> clientConfig(User user, Map<String, Object> extra);

  /** {@code user}'s client configuration file (without bootstrap servers), as the services and tools read it. */
  Path clientConfigFile(User user);

  /** Passwords, certificate and files of the broker. */
  LocalKafkaSecurity security();
}
