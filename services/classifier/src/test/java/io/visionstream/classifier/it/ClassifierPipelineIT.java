package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.LimitsConfig;
import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TestSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.ClassScores;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.preprocess.TestImages;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithKafkaBroker
class ClassifierPipelineIT {

  private static ClassifierModel model;

  @BeforeAll
  static void loadModel() {
    model = ClassifierModel.load(Fixtures.model(), SessionSettings.DEFAULT, ClassifierModel.Options.NONE);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static ClassifierPipeline start(KafkaTestBroker broker, PipelineSettings settings) {
    return ClassifierPipeline.start(settings, new KafkaClientsConfig(broker.bootstrapServers(), Map.of(), Map.of(), Map.of()),
        ServingModel.fixed(model), Fixtures.options(), 3, SessionSettings.DEFAULT, new SimpleMeterRegistry(),
        Clock.systemUTC(), ClassifierPipeline.Overrides.NONE);
  }

  @Test
  void twoThousandEventsGiveTwoThousandPredictionsEachEqualToSingleImageInferenceInSourceOrder(KafkaTestBroker broker) {
    TopicsConfig topics = Fixtures.topics(broker, "events-2000", 4);
    PipelineSettings settings = TestSettings.with(TestSettings.with(TestSettings.defaults(), topics),
        TestSettings.delivery(DeliveryGuarantee.AT_LEAST_ONCE, broker.uniqueTopic("group"), "unused"));
    List<byte[]> frames = Fixtures.jpegs(20, 100);
    assertThat(Fixtures.jpegScales(model.preprocessing(), 20, 100)).as("JPEG scales in %s mode", Fixtures.MODE)
        .containsExactlyElementsOf(Fixtures.MODE == PreprocessingMode.FAST ? List.of(2, 4) : List.of(1));
    Map<Integer, List<ClassScore>> expected = singleImageTopK(frames);
    Map<UUID, Integer> imageOf = new HashMap<>();
    Map<UUID, Integer> sequence = new HashMap<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String source = "camera-" + (i % 12);
      ImageEvent event = Fixtures.event(source, frames.get(i % frames.size()), ContentType.JPEG, Instant.now(), Map.of());
      imageOf.put(event.getEventId(), i % frames.size());
      sequence.put(event.getEventId(), i);
      records.add(new ProducerRecord<>(topics.input(), source.getBytes(StandardCharsets.UTF_8), Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }

    List<ConsumerRecord<byte[], byte[]>> out;
    try (ClassifierPipeline pipeline = start(broker, settings)) {
      out = Fixtures.read(broker, topics.predictions(), 2000, Duration.ofSeconds(120), false);
      assertThat(pipeline.state()).isEqualTo(io.visionstream.classifier.lifecycle.State.RUNNING);
    }

    List<Prediction> predictions = out.stream().map(Fixtures::prediction).toList();
    assertThat(predictions).hasSize(2000);
    assertThat(predictions.stream().map(Prediction::getEventId).collect(Collectors.toSet())).isEqualTo(imageOf.keySet());
    for (Prediction p : predictions) {
      assertThat(p.getStatus()).isEqualTo(PredictionStatus.CLASSIFIED);
      Fixtures.madeInMode(p);
      assertThat(p.getBatchSize()).isBetween(1, settings.batching().maxBatchSize());
      List<ClassScore> want = expected.get(imageOf.get(p.getEventId()));
      assertThat(p.getTopK()).extracting(ClassScore::getClassIndex).as("event %s", p.getEventId())
          .containsExactlyElementsOf(want.stream().map(ClassScore::getClassIndex).toList());
      for (int k = 0; k < want.size(); k++) {
        assertThat(p.getTopK().get(k).getScore()).isCloseTo(want.get(k).getScore(), org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
    Map<String, List<Integer>> order = new HashMap<>();
    for (Prediction p : predictions) {
      order.computeIfAbsent(p.getSourceId(), s -> new ArrayList<>()).add(sequence.get(p.getEventId()));
    }
    order.forEach((source, seq) -> assertThat(seq).as("predictions of %s in input order", source).isSorted());
  }

  /** Top-3 of each frame, inferred alone (batch of one). */
  private static Map<Integer, List<ClassScore>> singleImageTopK(List<byte[]> frames) {
    Map<Integer, List<ClassScore>> topK = new HashMap<>();
    BatchRunner runner = new BatchRunner(model);
    try (ImagePreprocessor preprocessor = Fixtures.preprocessor(model)) {
      for (int i = 0; i < frames.size(); i++) {
        try (PreprocessedBatch batch = preprocessor.run(List.of(frames.get(i)))) {
          float[] scores = runner.run(batch.tensor(), false).probabilities()[0];
          topK.put(i, ClassScores.top(scores, 3, model.labels()).stream()
              .map(c -> new ClassScore(c.index(), c.label(), c.score())).toList());
        }
      }
    }
    return topK;
  }

  @Test
  void poisonOfEveryKindGoesToTheDeadLetterTopicWhileGoodEventsFlowOn(KafkaTestBroker broker) {
    TopicsConfig topics = Fixtures.topics(broker, "poison", 2);
    PipelineSettings settings = TestSettings.with(TestSettings.with(TestSettings.with(TestSettings.defaults(), topics),
        TestSettings.delivery(DeliveryGuarantee.AT_LEAST_ONCE, broker.uniqueTopic("group"), "unused")),
        new LimitsConfig(200_000, 1_000_000, LimitsConfig.DEFAULT_MAX_DEAD_LETTER_BYTES));
    byte[] jpeg = Fixtures.jpegs(1, 7).get(0);
    byte[] valid = Fixtures.encode(Fixtures.event("camera-0", jpeg, ContentType.JPEG, Instant.now(), Map.of()));
    Map<DeadLetterReason, byte[]> poison = new java.util.LinkedHashMap<>();
    poison.put(DeadLetterReason.INVALID_EVENT, "{\"event_id\": \"not avro\"}".getBytes(StandardCharsets.UTF_8));
    poison.put(DeadLetterReason.UNSUPPORTED_CONTENT_TYPE,
        Fixtures.encode(Fixtures.event("camera-0", jpeg, ContentType.UNKNOWN, Instant.now(), Map.of())));
    poison.put(DeadLetterReason.UNSUPPORTED_FORMAT, Fixtures.encode(Fixtures.event("camera-0",
        TestImages.encode(TestImages.scene(40, 30, 1), "gif"), ContentType.JPEG, Instant.now(), Map.of())));
    poison.put(DeadLetterReason.TOO_MANY_PIXELS, Fixtures.encode(Fixtures.event("camera-0",
        TestImages.pngClaiming(50_000, 50_000), ContentType.PNG, Instant.now(), Map.of())));
    poison.put(DeadLetterReason.UNDECODABLE, Fixtures.encode(Fixtures.event("camera-0",
        Arrays.copyOf(jpeg, jpeg.length / 3), ContentType.JPEG, Instant.now(), Map.of())));
    byte[] noise = new byte[250_000];
    new java.util.Random(3).nextBytes(noise);
    ImageEvent oversize = Fixtures.event("camera-9", noise, ContentType.JPEG, Instant.now(), Map.of());
    poison.put(DeadLetterReason.RECORD_TOO_LARGE, Fixtures.encode(oversize));
    List<byte[]> invalidEvents = List.of(Arrays.copyOf(valid, valid.length - 100), flipFingerprint(valid));
    UUID truncatedId = AvroSerdes.imageEvent().deserializer().deserialize("t", valid).getEventId();

    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<byte[]> bad = new ArrayList<>();
    int good = 0;
    for (int round = 0; round < 3; round++) {
      for (byte[] value : poison.values()) {
        records.add(new ProducerRecord<>(topics.input(), round % 2, "camera-0".getBytes(StandardCharsets.UTF_8), value));
        bad.add(value);
        for (int g = 0; g < 5; g++, good++) {
          records.add(new ProducerRecord<>(topics.input(), round % 2, "camera-0".getBytes(StandardCharsets.UTF_8),
              Fixtures.encode(Fixtures.event("camera-0", jpeg, ContentType.JPEG, Instant.now(), Map.of()))));
        }
      }
    }
    for (byte[] value : invalidEvents) {
      records.add(new ProducerRecord<>(topics.input(), 0, null, value));
      bad.add(value);
    }
    records.add(new ProducerRecord<>(topics.input(), 1, "tombstone".getBytes(StandardCharsets.UTF_8), null));
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    int deadLetters = bad.size() + 1;

    List<ConsumerRecord<byte[], byte[]>> predictions;
    List<ConsumerRecord<byte[], byte[]>> dlq;
    try (ClassifierPipeline pipeline = start(broker, settings)) {
      predictions = Fixtures.read(broker, topics.predictions(), good, Duration.ofSeconds(60), false);
      dlq = Fixtures.read(broker, topics.deadLetters(), deadLetters, Duration.ofSeconds(30), false);
      await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.metrics().count(Outcome.Kind.DEAD_LETTER) == deadLetters);
      for (DeadLetterReason reason : poison.keySet()) {
        assertThat(pipeline.metrics().deadLetters(reason)).as(reason.name())
            .isEqualTo(reason == DeadLetterReason.INVALID_EVENT ? 3 + invalidEvents.size() + 1 : 3);
      }
    }

    assertThat(predictions).hasSize(good);
    assertThat(dlq).hasSize(deadLetters);
    for (ConsumerRecord<byte[], byte[]> letter : dlq) {
      String reason = Fixtures.header(letter, DeadLetterHeaders.REASON);
      assertThat(reason).isNotNull();
      assertThat(Fixtures.header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.input());
      assertThat(Fixtures.header(letter, DeadLetterHeaders.SOURCE_PARTITION)).isIn("0", "1");
      assertThat(Long.parseLong(Fixtures.header(letter, DeadLetterHeaders.SOURCE_OFFSET))).isNotNegative();
      assertThat(Fixtures.header(letter, DeadLetterHeaders.MESSAGE)).isNotBlank();
      if (letter.value() != null) {
        assertThat(bad).anySatisfy(original -> assertThat(letter.value()).isEqualTo(original));
      }
    }
    assertThat(dlq).filteredOn(l -> "UNSUPPORTED_CONTENT_TYPE".equals(Fixtures.header(l, DeadLetterHeaders.REASON)))
        .allSatisfy(l -> assertThat(Fixtures.header(l, DeadLetterHeaders.EVENT_ID)).isNotNull());
    assertThat(dlq).filteredOn(l -> "INVALID_EVENT".equals(Fixtures.header(l, DeadLetterHeaders.REASON)))
        .anySatisfy(l -> assertThat(Fixtures.header(l, DeadLetterHeaders.MESSAGE)).contains("not Avro single-object encoding"))
        .anySatisfy(l -> assertThat(Fixtures.header(l, DeadLetterHeaders.MESSAGE)).contains("is unknown"))
        .anySatisfy(l -> assertThat(Fixtures.header(l, DeadLetterHeaders.MESSAGE)).contains("truncated"));
    // every dead letter whose bytes began as an ImageEvent names it, so moderation can give the upload a verdict
    assertThat(dlq).filteredOn(l -> "RECORD_TOO_LARGE".equals(Fixtures.header(l, DeadLetterHeaders.REASON))).hasSize(3)
        .allSatisfy(l -> {
          assertThat(Fixtures.header(l, DeadLetterHeaders.EVENT_ID)).isEqualTo(oversize.getEventId().toString());
          assertThat(Fixtures.header(l, DeadLetterHeaders.EVENT_SOURCE_ID)).isEqualTo("camera-9");
        });
    assertThat(dlq).filteredOn(l -> truncatedId.toString().equals(Fixtures.header(l, DeadLetterHeaders.EVENT_ID)))
        .singleElement().satisfies(l -> assertThat(Fixtures.header(l, DeadLetterHeaders.MESSAGE)).contains("truncated"));
    assertThat(dlq).filteredOn(l -> Fixtures.header(l, DeadLetterHeaders.EVENT_ID) == null)
        .as("only the JSON value, the unknown fingerprint and the tombstone name no event").hasSize(3 + 1 + 1);
  }

  private static byte[] flipFingerprint(byte[] value) {
    byte[] copy = value.clone();
    copy[5] ^= 0x55;
    return copy;
  }

  @Test
  void staleFramesAreSkippedWithAPredictionUnderDropStale(KafkaTestBroker broker) {
    TopicsConfig topics = Fixtures.topics(broker, "stale", 1);
    PipelineSettings settings = TestSettings.with(TestSettings.with(TestSettings.with(TestSettings.defaults(), topics),
        TestSettings.delivery(DeliveryGuarantee.AT_LEAST_ONCE, broker.uniqueTopic("group"), "unused")),
        new LoadPolicyConfig(LoadPolicy.DROP_STALE, Duration.ofSeconds(30)));
    byte[] jpeg = Fixtures.jpegs(1, 11).get(0);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Instant captured = i % 2 == 0 ? Instant.now().minus(Duration.ofHours(1)) : Instant.now().plusSeconds(30);
      records.add(new ProducerRecord<>(topics.input(), Fixtures.encode(Fixtures.event("camera-" + i % 3, jpeg, ContentType.JPEG,
          captured, Map.of()))));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    List<Prediction> predictions;
    try (ClassifierPipeline pipeline = start(broker, settings)) {
      predictions = Fixtures.read(broker, topics.predictions(), 40, Duration.ofSeconds(60), false).stream()
          .map(Fixtures::prediction).toList();
      await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.metrics().count(Outcome.Kind.SKIPPED) == 20);
    }
    assertThat(predictions).hasSize(40);
    assertThat(predictions).filteredOn(p -> p.getStatus() == PredictionStatus.SKIPPED_STALE).hasSize(20)
        .allSatisfy(p -> {
          assertThat(p.getTopK()).isEmpty();
          assertThat(p.getBatchSize()).isZero();
          assertThat(p.getCapturedAt()).isBefore(Instant.now().minus(Duration.ofMinutes(59)));
        });
    assertThat(predictions).filteredOn(p -> p.getStatus() == PredictionStatus.CLASSIFIED).hasSize(20);
  }

  @Test
  void exactlyOnceWritesEachPredictionOnceAndCommitsOffsetsInTheTransaction(KafkaTestBroker broker) throws Exception {
    TopicsConfig topics = Fixtures.topics(broker, "eos", 3);
    String group = broker.uniqueTopic("group");
    PipelineSettings settings = TestSettings.with(TestSettings.with(TestSettings.defaults(), topics),
        TestSettings.delivery(DeliveryGuarantee.EXACTLY_ONCE, group, broker.uniqueTopic("classifier-tx")));
    byte[] jpeg = Fixtures.jpegs(1, 5).get(0);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      records.add(new ProducerRecord<>(topics.input(), ("camera-" + i % 5).getBytes(StandardCharsets.UTF_8),
          Fixtures.encode(Fixtures.event("camera-" + i % 5, jpeg, ContentType.JPEG, Instant.now(), Map.of()))));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    List<Prediction> predictions;
    try (ClassifierPipeline pipeline = start(broker, settings)) {
      predictions = Fixtures.read(broker, topics.predictions(), 300, Duration.ofSeconds(60), true).stream()
          .map(Fixtures::prediction).toList();
    }
    assertThat(predictions).hasSize(300).allSatisfy(Fixtures::madeInMode);
    assertThat(predictions.stream().map(Prediction::getEventId).distinct().count()).isEqualTo(300);
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      long total = committed.entrySet().stream().filter(e -> e.getKey().topic().equals(topics.input()))
          .mapToLong(e -> e.getValue().offset()).sum();
      assertThat(total).as("offsets committed past all 300 events").isEqualTo(300);
    }
  }
}
