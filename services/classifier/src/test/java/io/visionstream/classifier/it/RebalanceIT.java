package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TestSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.Prediction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two exactly-once instances in one group: the second joins while the first is busy, partitions
 * move, and a read_committed consumer still sees each prediction exactly once.
 */
@WithKafkaBroker
class RebalanceIT {

  private static final int EVENTS = 400;

  @Test
  void partitionsMovingMidStreamLoseNothingAndRepeatNothing(KafkaTestBroker broker) {
    TopicsConfig topics = new TopicsConfig(broker.uniqueTopic("rebalance"), broker.uniqueTopic("rebalance-predictions"),
        broker.uniqueTopic("rebalance-dlq"));
    broker.createTopic(topics.input(), 4);
    broker.createTopic(topics.predictions(), 4);
    broker.createTopic(topics.deadLetters(), 1);
    String group = broker.uniqueTopic("rebalance-group");
    List<byte[]> frames = Fixtures.jpegs(8, 500);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String source = "camera-" + i % 8;
      var event = Fixtures.event(source, frames.get(i % frames.size()), ContentType.JPEG, Instant.now(), Map.of());
      ids.add(event.getEventId());
      records.add(new ProducerRecord<>(topics.input(), source.getBytes(StandardCharsets.UTF_8), Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    KafkaClientsConfig kafka = new KafkaClientsConfig(broker.bootstrapServers(), Map.of(), Map.of(), Map.of());
    PipelineSettings base = TestSettings.with(TestSettings.defaults(), topics);
    try (ClassifierModel model = ClassifierModel.load(Fixtures.slowModel(), SessionSettings.DEFAULT, ClassifierModel.Options.NONE)) {
      ClassifierPipeline first = ClassifierPipeline.start(TestSettings.with(base, TestSettings.delivery(DeliveryGuarantee.EXACTLY_ONCE,
          group, group + "-tx-a")), kafka, ServingModel.fixed(model),
          Fixtures.options(), 3, SessionSettings.DEFAULT, new SimpleMeterRegistry(), Clock.systemUTC(),
          ClassifierPipeline.Overrides.NONE);
      ClassifierPipeline second = null;
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> first.metrics().count(Outcome.Kind.CLASSIFIED) >= 40);
        second = ClassifierPipeline.start(TestSettings.with(base, TestSettings.delivery(DeliveryGuarantee.EXACTLY_ONCE, group,
            group + "-tx-b")), kafka, ServingModel.fixed(model),
          Fixtures.options(), 3, SessionSettings.DEFAULT, new SimpleMeterRegistry(), Clock.systemUTC(),
          ClassifierPipeline.Overrides.NONE);
        ClassifierPipeline joined = second;
        await().atMost(Duration.ofSeconds(120)).until(() -> first.metrics().count(Outcome.Kind.CLASSIFIED)
            + joined.metrics().count(Outcome.Kind.CLASSIFIED) >= EVENTS);
        assertThat(first.pollLoop().revocations()).as("the first instance gave partitions away").isPositive();
        assertThat(joined.metrics().count(Outcome.Kind.CLASSIFIED)).as("the second instance took some work").isPositive();
      } finally {
        first.close();
        if (second != null) {
          second.close();
        }
      }
    }
    List<Prediction> predictions = Fixtures.read(broker, topics.predictions(), EVENTS, Duration.ofSeconds(30), true).stream()
        .map(Fixtures::prediction).toList();
    assertThat(predictions).allSatisfy(Fixtures::madeInMode);
    List<UUID> seen = predictions.stream().map(Prediction::getEventId).toList();
    assertThat(seen).hasSize(EVENTS).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
  }
}
