package io.visionstream.moderation.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.schemas.serde.AvroSerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The moderation service on the test broker, with its own topics, and reading what it wrote. */
final class ModerationInstances {

  /** Topic roles; the policy topics "accepted" and "rejected" are left for the service to create. */
  static final List<String> CREATED = List.of("predictions", "policies", "decisions", "review", "dlq", "tags", "tags-dlq",
      "classifier-dlq");

  private ModerationInstances() {}

  /** Unique topic names for every role; all but the policy topics the service creates are created here. */
  static Map<String, String> topics(KafkaTestBroker broker, int predictionPartitions) {
    Map<String, String> topics = new HashMap<>();
    for (String name : CREATED) {
      topics.put(name, broker.uniqueTopic("mod-" + name));
      broker.createTopic(topics.get(name), name.equals("predictions") ? predictionPartitions : 1);
    }
    topics.put("accepted", broker.uniqueTopic("mod-accepted"));
    topics.put("rejected", broker.uniqueTopic("mod-rejected"));
    return topics;
  }

  /** An instance of application {@code app} in this JVM on a free port, its Kafka Streams state in {@code state}. */
  static EmbeddedServer start(KafkaTestBroker broker, Map<String, String> topics, String app, Path state) {
    return ApplicationContext.run(EmbeddedServer.class, new HashMap<>(properties(broker, topics, app, state, freePort())));
  }

  /** The service's properties for these topics, application id suffix, state directory and HTTP port. */
  static Map<String, String> properties(KafkaTestBroker broker, Map<String, String> topics, String app, Path state, int port) {
    Map<String, String> p = new HashMap<>();
    p.put("micronaut.server.port", Integer.toString(port));
    // the management endpoints on the same port: the tests read /health and /prometheus beside /tags
    p.put("endpoints.all.port", Integer.toString(port));
    p.put("kafka.bootstrap.servers", broker.bootstrapServers());
    p.put("visionstream.streams.state-dir", state.toString());
    p.put("kafka.streams.default.application.id", "moderation-" + app);
    p.put("kafka.streams.tagging.application.id", "tagging-" + app);
    p.put("visionstream.moderation.predictions", topics.get("predictions"));
    p.put("visionstream.moderation.policies", topics.get("policies"));
    p.put("visionstream.moderation.accepted-policies", topics.get("accepted"));
    p.put("visionstream.moderation.rejected-policies", topics.get("rejected"));
    p.put("visionstream.moderation.decisions", topics.get("decisions"));
    p.put("visionstream.moderation.review", topics.get("review"));
    p.put("visionstream.moderation.dead-letters", topics.get("dlq"));
    p.put("visionstream.moderation.classifier-dead-letters", topics.get("classifier-dlq"));
    p.put("visionstream.tagging.predictions", topics.get("predictions"));
    p.put("visionstream.tagging.tags", topics.get("tags"));
    p.put("visionstream.tagging.dead-letters", topics.get("tags-dlq"));
    return p;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T extends SpecificRecord> List<T> read(KafkaTestBroker broker, String topic, int count, Class<T> type) {
    List<T> values = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : readRaw(broker, topic, count)) {
      values.add(AvroSerdes.of(type).deserializer().deserialize(topic, r.value()));
    }
    return values;
  }

  /**
   * Exactly {@code count} committed records of {@code topic}, read from the beginning within 90 s
   * and then 2 s longer, so that a duplicate or an extra record fails the assertion.
   */
  static List<ConsumerRecord<String, byte[]>> readRaw(KafkaTestBroker broker, String topic, int count) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < settle) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    assertThat(records).as("records on " + topic).hasSize(count);
    return records;
  }
}
