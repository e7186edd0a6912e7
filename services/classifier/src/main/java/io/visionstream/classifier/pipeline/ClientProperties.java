package io.visionstream.classifier.pipeline;

import io.visionstream.classifier.config.InvalidSettingsException;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.DeliveryGuarantee;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka client properties of the classifier: visionstream's defaults, then the user's (security
 * settings, tuning), then the settings its delivery guarantee depends on, which the user may not
 * change.
 */
public final class ClientProperties {

  private ClientProperties() {}

  static Map<String, Object> consumer(KafkaClientsConfig kafka, PipelineSettings settings) {
    Map<String, Object> defaults = new HashMap<>();
    defaults.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    defaults.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, settings.backpressure().maxInFlightRecords()));
    defaults.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(1 << 20, settings.limits().maxRecordBytes()));
    // The consumer's prefetch buffer is memory outside the in-flight budget: keep it to a quarter of it.
    long quarterBudget = settings.backpressure().maxInFlightBytes() / 4;
    defaults.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, (int) Math.max(settings.limits().maxRecordBytes(),
        Math.min(50L << 20, quarterBudget)));
    // Backpressure seeks back and refetches; a fetch parked at the log end must not hold that up for long.
    defaults.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    Map<String, Object> required = new HashMap<>();
    required.put(ConsumerConfig.GROUP_ID_CONFIG, settings.delivery().groupId());
    required.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    required.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    required.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    required.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return merge(defaults, kafka.consumerProperties(), required, KafkaClientsConfig.PREFIX + ".consumer");
  }

  static Map<String, Object> producer(KafkaClientsConfig kafka, PipelineSettings settings) {
    Map<String, Object> defaults = new HashMap<>();
    defaults.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    defaults.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, settings.limits().maxDeadLetterBytes() + (64 << 10));
    Map<String, Object> required = new HashMap<>();
    required.put(ProducerConfig.ACKS_CONFIG, "all");
    required.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    required.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    required.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    if (settings.delivery().guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
      required.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.delivery().effectiveTransactionalId());
    }
    return merge(defaults, kafka.producerProperties(), required, KafkaClientsConfig.PREFIX + ".producer");
  }

  /**
   * The shadow model's producer: the classifier's producer settings without a transactional id, for
   * shadow predictions are written outside the primary's transactions.
   */
  public static Map<String, Object> shadowProducer(KafkaClientsConfig kafka, PipelineSettings settings) {
    Map<String, Object> config = new HashMap<>(producer(kafka, settings));
    config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    config.compute(ProducerConfig.CLIENT_ID_CONFIG, (k, id) -> id == null ? null : id + "-shadow");
    return config;
  }

  private static Map<String, Object> merge(Map<String, Object> defaults, Map<String, Object> user, Map<String, Object> required,
      String userPrefix) {
    List<String> conflicts = new ArrayList<>();
    required.forEach((key, value) -> {
      Object given = user.get(key);
      if (given != null && !given.toString().equalsIgnoreCase(value.toString())) {
        conflicts.add(userPrefix + "." + key + " (or " + KafkaClientsConfig.PREFIX + ".properties." + key + ") is " + given
            + ", but the classifier's delivery guarantee needs " + value + "; remove it");
      }
    });
    if (!conflicts.isEmpty()) {
      throw new InvalidSettingsException(conflicts);
    }
    Map<String, Object> merged = new HashMap<>(defaults);
    merged.putAll(user);
    merged.putAll(required);
    return merged;
  }
}
