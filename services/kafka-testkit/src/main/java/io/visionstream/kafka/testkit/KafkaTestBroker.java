package io.visionstream.kafka.testkit;

import java.util.Map;

/**
 * The real Kafka broker a test runs against, shared by every test class of one test run. Tests
 * create their own topics (with {@link #uniqueTopic}) so they do not see each other's records.
 */
public interface KafkaTestBroker {

  /** Address for {@code bootstrap.servers}. */
  String bootstrapServers();

  /** {@code bootstrap.servers} plus {@code extra}, ready to pass to a Kafka client. */
  Map<String, Object> clientConfig(Map<String, Object> extra);

  /** Creates a topic with replication factor 1 and returns once its leaders are known. */
  void createTopic(String name, int partitions);

  /** A topic name not used before in this test run, starting with {@code prefix}. */
  String uniqueTopic(String prefix);

  /** {@code embedded} or {@code container}. */
  String kind();
}
