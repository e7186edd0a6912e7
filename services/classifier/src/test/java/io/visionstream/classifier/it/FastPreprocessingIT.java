package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.classifier.config.BackpressureConfig;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.FaultsConfig;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TestSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.pipeline.PipelineOptions;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.preprocess.TestImages;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import io.visionstream.service.tracing.Tracing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline in fast preprocessing mode on the real broker, with its guarantees: exactly-once
 * through a sick model (retried, nothing dead-lettered or lost), within a small in-flight budget,
 * each prediction naming its mode and equal to what the model makes of the frame decoded at its
 * DCT scale.
 */
@WithKafkaBroker
class FastPreprocessingIT {

  /** Frames of 320×240: a 64×64 model's fast mode decodes them at 1/2 (160×120; 1/4 would be 60 high). */
  private static final int WIDTH = 320;
  private static final int HEIGHT = 240;

  private static ClassifierModel model;

  @BeforeAll
  static void loadModel() {
    model = ClassifierModel.load(Fixtures.model(), SessionSettings.DEFAULT, ClassifierModel.Options.NONE);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  @Test
  void exactlyOnceThroughASickModelWithinASmallBudgetEachPredictionNamingFastAndMatchingTheScaledDecode(
      KafkaTestBroker broker) throws Exception {
    assertThat(PreprocessingMode.FAST.jpegScale(model.preprocessing(), WIDTH, HEIGHT)).isEqualTo(2);
    TopicsConfig topics = Fixtures.topics(broker, "fast", 3);
    String group = broker.uniqueTopic("group");
    PipelineSettings settings = TestSettings.with(TestSettings.with(TestSettings.with(TestSettings.with(
        TestSettings.defaults(), topics), TestSettings.delivery(DeliveryGuarantee.EXACTLY_ONCE, group, group + "-tx")),
        new FaultsConfig(Duration.ofMinutes(2), Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMinutes(5))),
        new BackpressureConfig(24, BackpressureConfig.DEFAULT_MAX_IN_FLIGHT_BYTES, 0.5));

    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      frames.add(TestImages.encode(TestImages.scene(WIDTH, HEIGHT, 600 + i), "jpg"));
    }
    Map<UUID, Integer> frameOf = new HashMap<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      ImageEvent event = Fixtures.event("camera-" + (i % 4), frames.get(i % frames.size()), ContentType.JPEG, Instant.now(),
          Map.of());
      frameOf.put(event.getEventId(), i % frames.size());
      records.add(new ProducerRecord<>(topics.input(), event.getSourceId().getBytes(StandardCharsets.UTF_8),
          Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }

    AtomicReference<FaultyModel> faulty = new AtomicReference<>();
    ClassifierPipeline.Overrides overrides = new ClassifierPipeline.Overrides(real -> {
      FaultyModel wrapped = new FaultyModel(real);
      wrapped.failFor(Duration.ofSeconds(5));
      faulty.set(wrapped);
      return wrapped;
    }, p -> p);
    try (ClassifierPipeline pipeline = ClassifierPipeline.start(settings, new KafkaClientsConfig(broker.bootstrapServers(),
        Map.of(), Map.of(), Map.of()), ServingModel.fixed(model), new PipelineOptions(PreprocessingMode.FAST,
            ShadowModel.Sink.NONE, Tracing.OFF), 3, SessionSettings.DEFAULT, new SimpleMeterRegistry(), Clock.systemUTC(),
        overrides)) {
      List<Prediction> predictions = Fixtures.read(broker, topics.predictions(), 240, Duration.ofSeconds(90), true).stream()
          .map(Fixtures::prediction).toList();
      assertThat(predictions).hasSize(240);
      assertThat(predictions.stream().map(Prediction::getEventId).distinct().count()).isEqualTo(240);
      assertThat(predictions).allSatisfy(p -> assertThat(p.getModel().getPreprocessing()).isEqualTo("fast"));
      assertThat(faulty.get().failures()).as("the model was sick at first").isPositive();
      assertThat(Fixtures.read(broker, topics.deadLetters(), 1, Duration.ofSeconds(2), true)).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.budget().records() == 0);

      Map<Integer, float[]> expected = scores(frames);
      for (Prediction p : predictions) {
        float[] scores = expected.get(frameOf.get(p.getEventId()));
        assertThat(p.getTopK().get(0).getScore()).isCloseTo(scores[p.getTopK().get(0).getClassIndex()],
            org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  /** Scores of each frame preprocessed alone in fast mode. */
  private static Map<Integer, float[]> scores(List<byte[]> frames) {
    Map<Integer, float[]> scores = new HashMap<>();
    BatchRunner runner = new BatchRunner(model);
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(model.preprocessing(), PreprocessingMode.FAST, 1, 1_000_000,
        SessionSettings.DEFAULT)) {
      for (int i = 0; i < frames.size(); i++) {
        try (PreprocessedBatch batch = preprocessor.run(List.of(frames.get(i)))) {
          scores.put(i, runner.run(batch.tensor(), false).probabilities()[0]);
        }
      }
    }
    return scores;
  }
}
