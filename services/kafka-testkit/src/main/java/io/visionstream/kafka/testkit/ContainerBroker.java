package io.visionstream.kafka.testkit;

import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** A Testcontainers {@code apache/kafka} broker; only used where a Docker engine is reachable. */
final class ContainerBroker extends AbstractTestBroker {

  private final KafkaContainer container;

  private ContainerBroker(KafkaContainer container) {
    this.container = container;
  }

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  /** {@code apache/kafka} at the version of the Kafka clients this build pins. */
  static String defaultImage() {
    return "apache/kafka:" + AppInfoParser.getVersion();
  }

  static ContainerBroker start(String image) {
    KafkaContainer container = new KafkaContainer(image).withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    container.start();
    return new ContainerBroker(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public String kind() {
    return "container";
  }

  @Override
  public void close() {
    container.stop();
  }
}
