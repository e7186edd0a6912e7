package io.visionstream.kafka.testkit;

import io.visionstream.kafka.local.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** {@link LocalKafkaBroker} in this JVM, storage in a temporary directory removed on close. */
final class EmbeddedBroker extends AbstractTestBroker {

  private final LocalKafkaBroker broker;

  private EmbeddedBroker(LocalKafkaBroker broker) {
    this.broker = broker;
  }

  static EmbeddedBroker start() {
    try {
      Path dir = Files.createTempDirectory("visionstream-kafka-test-");
      // tests create their topics; a missing topic must stay missing (as in production set-ups)
      return new EmbeddedBroker(LocalKafkaBroker.start(dir, 0, 0, Map.of("auto.create.topics.enable", "false")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the test broker", e);
    }
  }

  @Override
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  @Override
  public String kind() {
    return "embedded";
  }

  @Override
  public void close() throws IOException {
    broker.close();
    deleteTree(broker.dataDir());
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}
