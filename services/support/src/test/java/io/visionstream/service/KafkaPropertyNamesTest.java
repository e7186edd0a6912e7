package io.visionstream.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaPropertyNamesTest {

  @Test
  void theSpellingsOfOneEnvironmentVariableBecomeKafkasOwnName() {
    Map<String, String> bound = new HashMap<>(Map.of("session.timeout.ms", "10000", "session-timeout.ms", "10000",
        "session.timeout-ms", "10000", "session-timeout-ms", "10000", "acks", "all"));

    KafkaPropertyNames.dropVariantSpellings(bound);

    assertThat(bound).containsOnly(Map.entry("session.timeout.ms", "10000"), Map.entry("acks", "all"));
  }

  @Test
  void aNameWithADashAndNoDottedTwinIsKeptForKafkaToReport() {
    Map<String, String> bound = new HashMap<>(Map.of("session-timeout-ms", "10000"));

    KafkaPropertyNames.dropVariantSpellings(bound);

    assertThat(bound).containsOnlyKeys("session-timeout-ms");
  }

  @Test
  void worksOnStreamsProperties() {
    Properties streams = new Properties();
    streams.put("num.standby.replicas", "1");
    streams.put("num-standby.replicas", "1");
    streams.put("application.id", "visionstream-moderation");

    KafkaPropertyNames.dropVariantSpellings(streams);

    assertThat(streams.stringPropertyNames()).containsExactlyInAnyOrder("num.standby.replicas", "application.id");
  }
}
