package io.visionstream.moderation.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Option;

/** Where the policies are and how to reach them: options shared by every policy subcommand. */
final class PolicyKafka {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
      description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--command-config", paramLabel = "FILE",
      description = "Kafka client properties, e.g. security.protocol and SASL settings.")
  Path commandConfig;

  @Option(names = "--policies-topic", defaultValue = "moderation-policies",
      description = "The topic policies are put on (default: ${DEFAULT-VALUE}).")
  String policiesTopic;

  @Option(names = "--accepted-topic", defaultValue = "moderation-policies.accepted",
      description = "The moderation service's topic of the policies that apply (default: ${DEFAULT-VALUE}).")
  String acceptedTopic;

  private Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>();
    if (commandConfig != null) {
      Properties file = new Properties();
      try (Reader in = Files.newBufferedReader(commandConfig)) {
        file.load(in);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read --command-config " + commandConfig + ": " + e.getMessage(), e);
      }
      file.forEach((k, v) -> config.put(k.toString(), v));
    }
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }

  /** Writes {@code value} (null: a tombstone) for {@code source} on the policies topic and waits for the broker. */
  RecordMetadata put(String source, byte[] value) throws Exception {
    Map<String, Object> config = clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() / 2);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      try {
        return producer.send(new ProducerRecord<>(policiesTopic, source, value)).get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("cannot write to " + policiesTopic + " at " + bootstrapServers + ": "
            + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  /**
   * The latest record of each key on the accepted-policies topic (committed records only, from the
   * beginning to the end it had when asked), in the order the keys first appeared.
   *
   * @throws IllegalStateException when the topic does not exist or cannot be read in time
   */
  Map<String, ConsumerRecord<String, byte[]>> accepted() {
    Map<String, Object> config = clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "visionstream-policy-tool-" + UUID.randomUUID());
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    Map<String, ConsumerRecord<String, byte[]>> latest = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(acceptedTopic, TIMEOUT).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("topic " + acceptedTopic + " does not exist at " + bootstrapServers
            + ": the moderation service creates it when it starts; is it running?");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot read " + acceptedTopic + " to its end within " + TIMEOUT.toSeconds() + " s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          latest.remove(r.key());
          latest.put(r.key(), r);
        });
      }
    }
    return latest;
  }
}
