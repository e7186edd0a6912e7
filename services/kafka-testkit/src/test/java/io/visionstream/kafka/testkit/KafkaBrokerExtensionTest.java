package io.visionstream.kafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Events;
import org.testcontainers.DockerClientFactory;

/** Runs sample test classes through the JUnit engine to observe what the extension does. */
class KafkaBrokerExtensionTest {

  static final Set<String> bootstrapsSeen = ConcurrentHashMap.newKeySet();

  @Test
  void twoClassesInOneRunShareOneEmbeddedBrokerThatCarriesRecords() {
    bootstrapsSeen.clear();
    Events tests = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(FirstUser.class), selectClass(SecondUser.class))
        .execute().testEvents();

    tests.assertStatistics(stats -> stats.started(2).succeeded(2).failed(0));
    assertThat(bootstrapsSeen).hasSize(1).allMatch(address -> address.startsWith("127.0.0.1:"));
  }

  @Test
  void containerBrokerCarriesRecordsOrIsSkippedSayingWhyNeverFailed() {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(KafkaBrokerExtension.BROKER_PARAMETER, "container")
        .selectors(selectClass(FirstUser.class))
        .execute();

    boolean docker = DockerClientFactory.instance().isDockerAvailable();
    if (docker && ContainerBroker.firstPresent(ContainerBroker.defaultImages()).isPresent()) {
      results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    } else {
      results.testEvents().assertStatistics(stats -> stats.started(0).failed(0));
      results.containerEvents().assertStatistics(stats -> stats.aborted(1).failed(0));
      assertThat(abortReason(results)).contains(docker ? "no Kafka image is present" : "needs a Docker engine");
    }
  }

  @Test
  void aMissingImageIsASkipNamingTheImageNotAPullOrAFailure() {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(KafkaBrokerExtension.BROKER_PARAMETER, "container")
        .configurationParameter(KafkaBrokerExtension.IMAGE_PARAMETER, "visionstream/no-such-kafka:0")
        .selectors(selectClass(FirstUser.class))
        .execute();

    results.testEvents().assertStatistics(stats -> stats.started(0).failed(0));
    results.containerEvents().assertStatistics(stats -> stats.aborted(1).failed(0));
    assertThat(abortReason(results)).contains(DockerClientFactory.instance().isDockerAvailable()
        ? "looked for visionstream/no-such-kafka:0" : "needs a Docker engine");
  }

  private static String abortReason(EngineExecutionResults results) {
    return results.containerEvents().aborted().stream().findFirst().orElseThrow()
        .getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow().getMessage();
  }

  @Test
  void unknownBrokerKindFailsNamingTheParameter() {
    var results = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(KafkaBrokerExtension.BROKER_PARAMETER, "zookeeper")
        .selectors(selectClass(FirstUser.class))
        .execute();

    results.containerEvents().assertStatistics(stats -> stats.failed(1));
    Throwable failure = results.containerEvents().failed().stream().findFirst().orElseThrow()
        .getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow();
    assertThat(failure).hasMessageContaining("visionstream.test.kafka=zookeeper is not a broker kind");
  }

  /** Produces and consumes three records through the broker it is given. */
  static void roundTrip(KafkaTestBroker broker) {
    bootstrapsSeen.add(broker.bootstrapServers());
    String topic = broker.uniqueTopic("extension-test");
    broker.createTopic(topic, 2);
    try (var producer = new KafkaProducer<>(broker.clientConfig(Map.of(
        ProducerConfig.ACKS_CONFIG, "all")), new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
      }
    }
    List<String> values = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, topic, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < 3 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2");
  }

  @WithKafkaBroker
  static class FirstUser {
    @Test
    void carriesRecords(KafkaTestBroker broker) {
      roundTrip(broker);
    }
  }

  @WithKafkaBroker
  static class SecondUser {
    @Test
    void carriesRecords(KafkaTestBroker broker) {
      roundTrip(broker);
    }
  }
}
