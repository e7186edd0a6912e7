package io.visionstream.moderation.topology;

import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The moderation topology under a TopologyTestDriver, with its input and output topics. */
final class ModerationDriver implements AutoCloseable {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final ModerationTopology.Topics TOPICS = new ModerationTopology.Topics("predictions", "moderation-policies",
      "moderation-policies.accepted", "moderation-policies.rejected", "moderation-decisions", "moderation-review",
      "moderation.dlq", "image-events.dlq");

  final PolicyTable table = new PolicyTable();
  final RecordingEvents events = new RecordingEvents();
  final TopologyTestDriver driver;
  final TestInputTopic<String, byte[]> predictions;
  final TestInputTopic<String, ModerationPolicy> policies;
  final TestInputTopic<String, byte[]> rawPolicies;
  final TestInputTopic<String, byte[]> acceptedIn;
  final TestInputTopic<String, byte[]> classifierDeadLetters;
  final TestOutputTopic<String, ModerationDecision> decisions;
  final TestOutputTopic<String, ModerationDecision> review;
  final TestOutputTopic<String, byte[]> deadLetters;
  final TestOutputTopic<String, byte[]> accepted;
  final TestOutputTopic<String, byte[]> rejected;

  /** A driver whose Kafka Streams state (the last-valid store) lives in {@code stateDir}. */
  ModerationDriver(Path stateDir) {
    StreamsBuilder builder = new StreamsBuilder();
    ModerationTopology.build(builder, TOPICS, Clock.fixed(NOW, ZoneOffset.UTC), table, events);
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "moderation-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(builder.build(), config);
    predictions = driver.createInputTopic(TOPICS.predictions(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    policies = driver.createInputTopic(TOPICS.policies(), Serdes.String().serializer(),
        AvroSerdes.of(ModerationPolicy.class).serializer());
    rawPolicies = driver.createInputTopic(TOPICS.policies(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    acceptedIn = driver.createInputTopic(TOPICS.acceptedPolicies(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    classifierDeadLetters = driver.createInputTopic(TOPICS.classifierDeadLetters(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    decisions = driver.createOutputTopic(TOPICS.decisions(), Serdes.String().deserializer(),
        AvroSerdes.of(ModerationDecision.class).deserializer());
    review = driver.createOutputTopic(TOPICS.review(), Serdes.String().deserializer(),
        AvroSerdes.of(ModerationDecision.class).deserializer());
    deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    accepted = driver.createOutputTopic(TOPICS.acceptedPolicies(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
    rejected = driver.createOutputTopic(TOPICS.rejectedPolicies(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  /** The decision on {@code p}; fails when there is none. */
  ModerationDecision judge(Prediction p) {
    predictions.pipeInput(p.getSourceId(), AvroSerdes.prediction().serializer().serialize(TOPICS.predictions(), p));
    return decisions.readValue();
  }

  static byte[] encode(ModerationPolicy policy) {
    return AvroSerdes.of(ModerationPolicy.class).serializer().serialize(TOPICS.policies(), policy);
  }

  @Override
  public void close() {
    driver.close();
  }
}
