package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.MapFormat;
import io.visionstream.service.KafkaPropertyNames;
import java.util.HashMap;
import java.util.Map;

/**
 * Kafka connection. Every key under {@code properties} is passed to both the consumer and the
 * producer (e.g. {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}); keys under {@code consumer} or {@code producer} to that client
 * only, overriding visionstream's defaults.
 */
@ConfigurationProperties(KafkaClientsConfig.PREFIX)
public record KafkaClientsConfig(
    @Bindable(defaultValue = DEFAULT_BOOTSTRAP_SERVERS) String bootstrapServers,
    @MapFormat(transformation = MapFormat.MapTransformation.FLAT) Map<String, String> properties,
    @MapFormat(transformation = MapFormat.MapTransformation.FLAT) Map<String, String> consumer,
    @MapFormat(transformation = MapFormat.MapTransformation.FLAT) Map<String, String> producer) {

  public static final String PREFIX = "visionstream.kafka";
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

  public KafkaClientsConfig {
    properties = kafkaNames(properties);
    consumer = kafkaNames(consumer);
    producer = kafkaNames(producer);
  }

  /** The map with Micronaut's other spellings of an environment variable's key removed. */
  private static Map<String, String> kafkaNames(Map<String, String> bound) {
    if (bound == null) {
      return Map.of();
    }
    Map<String, String> names = new HashMap<>(bound);
    KafkaPropertyNames.dropVariantSpellings(names);
    return Map.copyOf(names);
  }

  /** Common properties plus the consumer's, as a client config map (bootstrap servers included). */
  public Map<String, Object> consumerProperties() {
    return merged(consumer);
  }

  public Map<String, Object> producerProperties() {
    return merged(producer);
  }

  private Map<String, Object> merged(Map<String, String> specific) {
    Map<String, Object> config = new HashMap<>(properties);
    config.putAll(specific);
    config.put("bootstrap.servers", bootstrapServers);
    return config;
  }
}
