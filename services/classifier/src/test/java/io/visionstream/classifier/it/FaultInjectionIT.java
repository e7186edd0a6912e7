package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.classifier.ClassifierApplication;
import io.visionstream.classifier.config.BatchingConfig;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.FaultsConfig;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TestSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.TestImages;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults of the system itself, injected on the real broker: a model that fails for a while, one
 * that never recovers, a poison image, an Error in the sink, the predictions topic deleted and
 * recreated. None of them loses an event, none is blamed on a record, and what cannot recover
 * fails the pipeline loudly.
 */
@WithKafkaBroker
class FaultInjectionIT {

  private static ClassifierModel model;

  @BeforeAll
  static void loadModel() {
    model = ClassifierModel.load(Fixtures.model(), SessionSettings.DEFAULT, ClassifierModel.Options.NONE);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static PipelineSettings settings(KafkaTestBroker broker, TopicsConfig topics, DeliveryGuarantee guarantee,
      Duration giveUpAfter) {
    String group = broker.uniqueTopic("group");
    return TestSettings.with(TestSettings.with(TestSettings.with(TestSettings.defaults(), topics),
        TestSettings.delivery(guarantee, group, group + "-tx")),
        new FaultsConfig(giveUpAfter, Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMinutes(5)));
  }

  private static ClassifierPipeline start(KafkaTestBroker broker, PipelineSettings settings, ClassifierPipeline.Overrides overrides) {
    return ClassifierPipeline.start(settings, new KafkaClientsConfig(broker.bootstrapServers(), Map.of(), Map.of(), Map.of()),
        ServingModel.fixed(model), Fixtures.options(), 3, SessionSettings.DEFAULT, new SimpleMeterRegistry(),
        Clock.systemUTC(), overrides);
  }

  /** Sends {@code count} JPEG events round-robin over {@code sources}; returns their ids. */
  private static List<UUID> produce(KafkaTestBroker broker, String topic, int count, int sources) {
    List<byte[]> frames = Fixtures.jpegs(8, 31);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String source = "camera-" + (i % sources);
      ImageEvent event = Fixtures.event(source, frames.get(i % frames.size()), ContentType.JPEG, Instant.now(), Map.of());
      ids.add(event.getEventId());
      records.add(new ProducerRecord<>(topic, source.getBytes(StandardCharsets.UTF_8), Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    return ids;
  }

  private static Set<UUID> predictedIds(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<UUID> ids = new HashSet<>();
    records.forEach(r -> {
      Prediction prediction = Fixtures.prediction(r);
      Fixtures.madeInMode(prediction);
      ids.add(prediction.getEventId());
    });
    return ids;
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(KafkaTestBroker broker, PipelineSettings settings)
      throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      return admin.listConsumerGroupOffsets(settings.delivery().groupId()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aModelFailingForThirtySecondsIsRetriedAndEveryEventIsPredictedOnceWithNothingDeadLettered(KafkaTestBroker broker)
      throws Exception {
    TopicsConfig topics = Fixtures.topics(broker, "sick-30s", 3);
    PipelineSettings settings = settings(broker, topics, DeliveryGuarantee.EXACTLY_ONCE, Duration.ofMinutes(2));
    List<UUID> sent = produce(broker, topics.input(), 300, 6);
    Map<String, FaultyModel> faulty = new ConcurrentHashMap<>();
    ClassifierPipeline.Overrides overrides = new ClassifierPipeline.Overrides(real -> faulty.computeIfAbsent("m",
        k -> new FaultyModel(real)), p -> p);
    try (ClassifierPipeline pipeline = start(broker, settings, overrides)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> faulty.containsKey("m"));
      faulty.get("m").failFor(Duration.ofSeconds(30));
      long failingSince = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.state() == State.RETRYING);
      assertThat(pipeline.outages()).containsKey(io.visionstream.classifier.work.Stage.INFERENCE);
      Thread.sleep(10_000);
      assertThat(pipeline.state()).as("still retrying, not failed").isEqualTo(State.RETRYING);
      // exactly-once commits offsets with the predictions: mid-outage they match, nothing is committed past the fault
      assertThat(committed(broker, settings).values().stream().mapToLong(OffsetAndMetadata::offset).sum())
          .as("committed offsets mid-outage").isEqualTo(Fixtures.read(broker, topics.predictions(), 300,
              Duration.ofSeconds(1), true).size());

      List<ConsumerRecord<byte[], byte[]>> predictions = Fixtures.read(broker, topics.predictions(), 300, Duration.ofSeconds(120),
          true);
      assertThat(Duration.ofNanos(System.nanoTime() - failingSince)).isGreaterThan(Duration.ofSeconds(30));
      assertThat(predictions).as("each event predicted once").hasSize(300);
      assertThat(predictedIds(predictions)).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(Fixtures.read(broker, topics.deadLetters(), 1, Duration.ofSeconds(2), true)).isEmpty();
      assertThat(pipeline.metrics().count(Outcome.Kind.DEAD_LETTER)).isZero();
      assertThat(faulty.get("m").failures()).isPositive();
      await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.state() == State.RUNNING);
    }
  }

  @Test
  void aModelThatNeverRecoversFailsThePipelineWithNothingCommittedAndARestartPredictsEverything(KafkaTestBroker broker)
      throws Exception {
    TopicsConfig topics = Fixtures.topics(broker, "broken", 2);
    PipelineSettings settings = settings(broker, topics, DeliveryGuarantee.AT_LEAST_ONCE, Duration.ofSeconds(10));
    List<UUID> sent = produce(broker, topics.input(), 60, 4);
    ClassifierPipeline.Overrides broken = new ClassifierPipeline.Overrides(real -> {
      FaultyModel model = new FaultyModel(real);
      model.breakForGood();
      return model;
    }, p -> p);
    try (ClassifierPipeline pipeline = start(broker, settings, broken)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.state() == State.RETRYING);
      await().atMost(Duration.ofSeconds(40)).until(() -> pipeline.state() == State.FAILED);
      assertThat(ClassifierApplication.awaitEnd(pipeline)).as("exit code").isEqualTo(1);
      assertThat(pipeline.failure()).hasMessageStartingWith("stage inference kept failing for");
      pipeline.close();
      assertThat(pipeline.liveThreads()).isEmpty();
    }
    assertThat(Fixtures.read(broker, topics.deadLetters(), 1, Duration.ofSeconds(2), false)).isEmpty();
    assertThat(Fixtures.read(broker, topics.predictions(), 1, Duration.ofSeconds(2), false)).isEmpty();
    assertThat(committed(broker, settings).values()).as("nothing committed past the first record")
        .allSatisfy(offset -> assertThat(offset.offset()).isZero());

    try (ClassifierPipeline restarted = start(broker, settings, ClassifierPipeline.Overrides.NONE)) {
      List<ConsumerRecord<byte[], byte[]>> predictions = Fixtures.read(broker, topics.predictions(), 60, Duration.ofSeconds(90),
          false);
      assertThat(predictedIds(predictions)).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(restarted.state()).isEqualTo(State.RUNNING);
    }
  }

  @Test
  void onePoisonImageInABatchOfSixteenIsTheOnlyRecordDeadLettered(KafkaTestBroker broker) {
    TopicsConfig topics = Fixtures.topics(broker, "poison-16", 1);
    PipelineSettings settings = TestSettings.with(settings(broker, topics, DeliveryGuarantee.AT_LEAST_ONCE, Duration.ofMinutes(1)),
        new BatchingConfig(16, Duration.ofSeconds(1), 1, 8));
    List<byte[]> frames = Fixtures.jpegs(15, 57);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    UUID poison = null;
    for (int i = 0; i < 16; i++) {
      ImageEvent event = i == 7
          ? Fixtures.event("camera-0", TestImages.encode(TestImages.solid(64, 64, Color.MAGENTA), "png"), ContentType.PNG,
              Instant.now(), Map.of())
          : Fixtures.event("camera-0", frames.get(i < 7 ? i : i - 1), ContentType.JPEG, Instant.now(), Map.of());
      if (i == 7) {
        poison = event.getEventId();
      }
      records.add(new ProducerRecord<>(topics.input(), "camera-0".getBytes(StandardCharsets.UTF_8), Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    List<FaultyModel> models = new java.util.concurrent.CopyOnWriteArrayList<>();
    ClassifierPipeline.Overrides poisonous = new ClassifierPipeline.Overrides(real -> {
      FaultyModel model = new FaultyModel(real);
      model.failOnPoison();
      models.add(model);
      return model;
    }, p -> p);
    try (ClassifierPipeline pipeline = start(broker, settings, poisonous)) {
      List<ConsumerRecord<byte[], byte[]>> predictions = Fixtures.read(broker, topics.predictions(), 15, Duration.ofSeconds(60),
          false);
      List<ConsumerRecord<byte[], byte[]>> dead = Fixtures.read(broker, topics.deadLetters(), 1, Duration.ofSeconds(30), false);
      assertThat(predictions).hasSize(15);
      assertThat(predictedIds(predictions)).doesNotContain(poison);
      UUID poisonId = poison;
      assertThat(dead).singleElement().satisfies(d -> {
        assertThat(Fixtures.header(d, DeadLetterHeaders.REASON)).isEqualTo("INFERENCE_FAILED");
        assertThat(Fixtures.header(d, DeadLetterHeaders.EVENT_ID)).isEqualTo(poisonId.toString());
        assertThat(Integer.parseInt(Fixtures.header(d, DeadLetterHeaders.ATTEMPTS))).isGreaterThanOrEqualTo(2);
      });
      assertThat(models.get(0).batchSizes()).as("the sixteen ran as one batch first").startsWith(16);
      assertThat(pipeline.state()).isEqualTo(State.RUNNING);
    }
  }

  @Test
  void anErrorThrownInTheSinkFailsThePipelineWithinSeconds(KafkaTestBroker broker) throws Exception {
    TopicsConfig topics = Fixtures.topics(broker, "sink-error", 2);
    PipelineSettings settings = settings(broker, topics, DeliveryGuarantee.AT_LEAST_ONCE, Duration.ofMinutes(1));
    produce(broker, topics.input(), 80, 4);
    ClassifierPipeline.Overrides throwing = new ClassifierPipeline.Overrides(m -> m, p -> new ThrowingProducer(p, 20));
    try (ClassifierPipeline pipeline = start(broker, settings, throwing)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.state() == State.FAILED);
      assertThat(pipeline.failure()).hasMessageContaining("thread classifier-sink failed")
          .hasRootCauseMessage("injected Error in the sink");
      assertThat(Fixtures.read(broker, topics.predictions(), 21, Duration.ofSeconds(3), false)).hasSizeLessThanOrEqualTo(20);
      pipeline.close();
      assertThat(pipeline.liveThreads()).isEmpty();
    }
  }

  @Test
  void thePredictionsTopicDeletedForTwentySecondsAndRecreatedLosesNoPrediction(KafkaTestBroker broker) throws Exception {
    TopicsConfig topics = Fixtures.topics(broker, "deleted", 3);
    PipelineSettings settings = settings(broker, topics, DeliveryGuarantee.EXACTLY_ONCE, Duration.ofMinutes(2));
    Set<UUID> seenBeforeDeletion = new HashSet<>();
    List<UUID> sent = new ArrayList<>();
    try (ClassifierPipeline pipeline = start(broker, settings, ClassifierPipeline.Overrides.NONE)) {
      sent.addAll(produce(broker, topics.input(), 150, 6));
      seenBeforeDeletion.addAll(predictedIds(Fixtures.read(broker, topics.predictions(), 150, Duration.ofSeconds(90), true)));
      assertThat(seenBeforeDeletion).hasSize(150);
      try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
        admin.deleteTopics(List.of(topics.predictions())).all().get(30, TimeUnit.SECONDS);
      }
      long deleted = System.nanoTime();
      sent.addAll(produce(broker, topics.input(), 150, 6)); // mid-stream: events keep coming while the topic is gone
      Thread.sleep(Math.max(0, Duration.ofSeconds(20).toMillis() - (System.nanoTime() - deleted) / 1_000_000));
      assertThat(pipeline.state()).isNotEqualTo(State.FAILED);
      broker.createTopic(topics.predictions(), 3);
      sent.addAll(produce(broker, topics.input(), 150, 6));

      Set<UUID> seen = new HashSet<>(seenBeforeDeletion);
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      while (!seen.containsAll(sent) && System.nanoTime() < deadline) {
        seen.addAll(predictedIds(Fixtures.read(broker, topics.predictions(), 300, Duration.ofSeconds(10), true)));
      }
      Set<UUID> missing = new HashSet<>(sent);
      missing.removeAll(seen);
      assertThat(missing).as("events without a prediction").isEmpty();
      assertThat(Fixtures.read(broker, topics.deadLetters(), 1, Duration.ofSeconds(2), true)).isEmpty();
      assertThat(pipeline.state()).isIn(State.RUNNING, State.RETRYING);
    }
  }
}
