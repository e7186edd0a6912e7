package io.visionstream.kafka.testkit;

import io.visionstream.kafka.local.LocalKafkaBroker;
import io.visionstream.kafka.local.LocalKafkaSecurity;
import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** {@link LocalKafkaBroker#startSecure} in this JVM, storage in a temporary directory removed on close. */
final class SecureEmbeddedBroker extends AbstractTestBroker implements SecureKafkaTestBroker {

  private final LocalKafkaBroker broker;

  private SecureEmbeddedBroker(LocalKafkaBroker broker) {
    this.broker = broker;
  }

  static SecureEmbeddedBroker start() {
    try {
      Path dir = Files.createTempDirectory("visionstream-kafka-secure-test-");
      return new SecureEmbeddedBroker(LocalKafkaBroker.startSecure(dir, 0, 0, Map.of("auto.create.topics.enable", "false"),
          LocalKafkaSecurity.Certificate.STANDARD));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the secured test broker", e);
    }
  }

  @Override
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** As the admin. */
  @Override
  public Map<String, Object> clientConfig(Map<String, Object> extra) {
    return clientConfig(User.ADMIN, extra);
  }

  @Override
  public Map<String, Object> clientConfig(User user, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(broker.security().clientConfig(user));
    config.putAll(extra);
    config.put("bootstrap.servers", bootstrapServers());
    return config;
  }

  @Override
  public Path clientConfigFile(User user) {
    return broker.security().clientConfigFile(user);
  }

  @Override
  public LocalKafkaSecurity security() {
    return broker.security();
  }

  @Override
  public String kind() {
    return "embedded-secure";
  }

  @Override
  public void close() throws IOException {
    broker.close();
    EmbeddedBroker.deleteTree(broker.dataDir());
  }
}
