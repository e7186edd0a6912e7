package io.visionstream.loadtest;

import java.util.Map;

/**
 * The deployment under test: its Kafka cluster (bootstrap servers and any client properties, e.g.
 * SASL/SSL), the topics the classifier reads and writes, and the classifier's consumer group,
 * which is watched for readiness and consumer lag.
 */
public record Target(String bootstrapServers, Map<String, Object> clientProperties, String inputTopic,
    String predictionsTopic, String deadLetterTopic, String classifierGroup) {

  public Target {
    clientProperties = Map.copyOf(clientProperties);
  }

  /** {@code clientProperties} with the bootstrap servers, for a producer, consumer or admin client. */
  public Map<String, Object> clientConfig(Map<String, Object> overrides) {
    java.util.HashMap<String, Object> config = new java.util.HashMap<>(clientProperties);
    config.put("bootstrap.servers", bootstrapServers);
    config.putAll(overrides);
    return config;
  }
}
