package io.visionstream.classifier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TestSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientPropertiesTest {

  private static PipelineSettings settings(DeliveryGuarantee guarantee) {
    return TestSettings.with(TestSettings.defaults(), TestSettings.delivery(guarantee, "classifiers", "classifier-7"));
  }

  @Test
  void securitySettingsReachBothClientsAndDeliverySettingsAreFixed() {
    KafkaClientsConfig kafka = new KafkaClientsConfig("broker:9093",
        Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"),
        Map.of("max.poll.records", "50"), Map.of("compression.type", "zstd"));

    Map<String, Object> consumer = ClientProperties.consumer(kafka, settings(DeliveryGuarantee.AT_LEAST_ONCE));
    Map<String, Object> producer = ClientProperties.producer(kafka, settings(DeliveryGuarantee.EXACTLY_ONCE));

    assertThat(consumer).containsEntry("bootstrap.servers", "broker:9093").containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("max.poll.records", "50")
        .containsEntry("group.id", "classifiers").containsEntry("enable.auto.commit", "false")
        .containsEntry("isolation.level", "read_committed");
    assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("compression.type", "zstd")
        .containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
        .containsEntry("transactional.id", "classifier-7");
    assertThat(ClientProperties.producer(kafka, settings(DeliveryGuarantee.AT_LEAST_ONCE))).doesNotContainKey("transactional.id");
  }

  @Test
  void overridingWhatTheGuaranteeNeedsIsRefusedNamingTheKey() {
    KafkaClientsConfig kafka = new KafkaClientsConfig("b:1", Map.of(), Map.of("enable.auto.commit", "true"), Map.of("acks", "1"));
    assertThatThrownBy(() -> ClientProperties.consumer(kafka, settings(DeliveryGuarantee.AT_LEAST_ONCE)))
        .hasMessageContaining("visionstream.kafka.consumer.enable.auto.commit (or visionstream.kafka.properties.enable.auto.commit) is true");
    assertThatThrownBy(() -> ClientProperties.producer(kafka, settings(DeliveryGuarantee.AT_LEAST_ONCE)))
        .hasMessageContaining("visionstream.kafka.producer.acks (or visionstream.kafka.properties.acks) is 1");
  }
}
