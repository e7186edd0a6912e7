package io.visionstream.moderation.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.moderation.policy.PolicyTableUpdate;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.service.tracing.Tracing;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class JudgePredictionTest {

  @Test
  void aPredictionWhoseJudgingFailsGoesToReviewWithTheErrorAndIsCounted() {
    RecordingEvents events = new RecordingEvents();
    StreamsBuilder builder = new StreamsBuilder();
    builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ModerationTopology.POLICY_STORE),
            Serdes.String(), AvroSerdes.of(ModerationPolicy.class)).withLoggingDisabled(), "policies",
        Consumed.with(Serdes.String(), Serdes.ByteArray()), () -> new PolicyTableUpdate(ModerationTopology.POLICY_STORE,
            new PolicyTable()));
    builder.stream("predictions", Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .processValues(() -> new JudgePrediction(Clock.fixed(ModerationDriver.NOW, ZoneOffset.UTC), events, Tracing.OFF, (p, found) -> {
          throw new IllegalStateException("evaluator bug");
        }))
        .mapValues(o -> o.isDead() ? null : o.value())
        .to("decisions", Produced.with(Serdes.String(), AvroSerdes.of(ModerationDecision.class)));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "judge-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
      TestInputTopic<String, byte[]> predictions = driver.createInputTopic("predictions", Serdes.String().serializer(),
          Serdes.ByteArray().serializer());
      TestOutputTopic<String, ModerationDecision> decisions = driver.createOutputTopic("decisions",
          Serdes.String().deserializer(), AvroSerdes.of(ModerationDecision.class).deserializer());
      Prediction p = Records.prediction("cam-1", ModerationDriver.NOW, "cat", 0.01f);
      predictions.pipeInput("cam-1", AvroSerdes.prediction().serializer().serialize("predictions", p));

      List<KeyValue<String, ModerationDecision>> out = decisions.readKeyValuesToList();
      assertThat(out).singleElement().satisfies(kv -> {
        assertThat(kv.value.getEventId()).isEqualTo(p.getEventId());
        assertThat(kv.value.getVerdict()).isEqualTo(Verdict.REVIEW);
        assertThat(kv.value.getNote()).contains("judging failed").contains("evaluator bug");
        assertThat(kv.value.getPolicySource()).isEqualTo("built-in");
      });
      assertThat(events.judgingFailures).hasSize(1);
    }
  }
}
