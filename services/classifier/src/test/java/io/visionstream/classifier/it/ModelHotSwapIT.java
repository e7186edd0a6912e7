package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.serving.TestVersions;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model versions swapped in while events stream, on the real broker in exactly-once mode: every
 * event is predicted once, by the version its prediction names, and a broken version never serves.
 */
@WithKafkaBroker
class ModelHotSwapIT {

  private static final int EVENTS = 900;
  private static final Duration PERIOD = Duration.ofMillis(25);

  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path work;

  private Map<String, Object> properties(KafkaTestBroker broker, String input, Path versions) {
    Map<String, Object> properties = Fixtures.serviceProperties(broker, input, versions);
    properties.put("visionstream.classifier.model.poll-interval", "1s");
    properties.put("visionstream.classifier.delivery.guarantee", "exactly-once");
    return properties;
  }

  private HttpResponse<String> send(EmbeddedServer server, String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).timeout(Duration.ofSeconds(60))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void versionsAddedWhileEventsStreamServeInTurnAndEveryEventIsPredictedOnceByTheVersionItNames(KafkaTestBroker broker)
      throws Exception {
    String input = broker.uniqueTopic("swap-events");
    broker.createTopic(input, 2);
    broker.createTopic(input + "-predictions", 2);
    broker.createTopic(input + "-dlq", 1);
    Path versions = work.resolve("versions");
    TestVersions.add(versions, 1, 11);
    List<byte[]> frames = Fixtures.jpegs(60, 300);

    Map<String, Object> properties = properties(broker, input, versions);
    properties.put("visionstream.classifier.model.poll-interval", "0s");
    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(properties))) {
      assertThat(send(server, "GET", "/model").body()).contains("\"version\":\"1\"");
      Map<UUID, Integer> frameOf = new HashMap<>();
      CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
        try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
          long next = System.nanoTime();
          for (int i = 0; i < EVENTS; i++) {
            ImageEvent event = Fixtures.event("camera-" + (i % 4), frames.get(i % frames.size()), ContentType.JPEG,
                Instant.now(), Map.of());
            synchronized (frameOf) {
              frameOf.put(event.getEventId(), i % frames.size());
            }
            producer.send(new ProducerRecord<>(input, event.getSourceId().getBytes(StandardCharsets.UTF_8),
                Fixtures.encode(event)));
            next += PERIOD.toNanos();
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
          }
          producer.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });

      // each new version is swapped in by a reload (the watcher is off here, so the answers are the reloads' own)
      Thread.sleep(3000);
      TestVersions.add(versions, 2, 12);
      HttpResponse<String> reload = send(server, "POST", "/model/reload");
      assertThat(reload.body()).contains("\"result\":\"swapped\"").contains("\"serving\":\"2\"")
          .contains("\"previous\":\"1\"");

      // a broken version (NaN weights): rejected with its reason, version 2 keeps serving
      TestVersions.addNaN(versions, 3);
      reload = send(server, "POST", "/model/reload");
      assertThat(reload.statusCode()).isEqualTo(200);
      assertThat(reload.body()).contains("\"result\":\"rejected\"").contains("\"serving\":\"2\"")
          .contains("the warm-up batch scored NaN");
      assertThat(send(server, "GET", "/health").body()).contains("\"rejected\":{\"3\":\"the warm-up batch scored NaN");

      Thread.sleep(3000);
      TestVersions.add(versions, 4, 14);
      assertThat(send(server, "POST", "/model/reload").body()).contains("\"result\":\"swapped\"").contains("\"serving\":\"4\"");
      Thread.sleep(3000);
      TestVersions.add(versions, 5, 15);
      reload = send(server, "POST", "/model/reload");
      assertThat(reload.body()).contains("\"result\":\"swapped\"").contains("\"serving\":\"5\"")
          .contains("\"previous\":\"4\"");
      assertThat(send(server, "POST", "/model/unknown").statusCode()).isEqualTo(404);
      stream.get();

      List<ConsumerRecord<byte[], byte[]>> records = Fixtures.read(broker, input + "-predictions", EVENTS,
          Duration.ofSeconds(120), true);
      List<Prediction> predictions = records.stream().map(Fixtures::prediction).toList();
      assertThat(predictions).hasSize(EVENTS);
      assertThat(predictions.stream().map(Prediction::getEventId).distinct().count()).isEqualTo(EVENTS);
      assertThat(predictions).allSatisfy(p -> assertThat(p.getStatus()).isEqualTo(PredictionStatus.CLASSIFIED));
      Map<String, Long> perVersion = predictions.stream().collect(Collectors.groupingBy(p -> p.getModel().getVersion(),
          java.util.TreeMap::new, Collectors.counting()));
      assertThat(perVersion.keySet()).containsExactly("1", "2", "4", "5");

      // one inference worker: sorted by when they were made, versions only move forward
      List<Prediction> inOrder = predictions.stream().sorted(Comparator.comparing(Prediction::getProcessedAt)).toList();
      List<String> sequence = new ArrayList<>();
      Map<String, Instant[]> spans = new LinkedHashMap<>();
      for (Prediction p : inOrder) {
        String version = p.getModel().getVersion();
        if (sequence.isEmpty() || !sequence.get(sequence.size() - 1).equals(version)) {
          sequence.add(version);
        }
        spans.computeIfAbsent(version, v -> new Instant[] {p.getProcessedAt(), p.getProcessedAt()})[1] = p.getProcessedAt();
      }
      assertThat(sequence).containsExactly("1", "2", "4", "5");
      List<String> gaps = new ArrayList<>();
      for (int i = 1; i < sequence.size(); i++) {
        gaps.add(sequence.get(i - 1) + "→" + sequence.get(i) + " "
            + Duration.between(spans.get(sequence.get(i - 1))[1], spans.get(sequence.get(i))[0]).toMillis() + " ms");
      }
      System.out.printf("predictions per version %s; time between the last prediction of a version and the first of the"
          + " next: %s (events every %d ms)%n", perVersion, gaps, PERIOD.toMillis());

      // each prediction is what the version it names makes of its frame
      Map<String, Map<Integer, float[]>> expected = new HashMap<>();
      for (String version : perVersion.keySet()) {
        expected.put(version, scores(versions.resolve(version), frames));
      }
      for (Prediction p : predictions) {
        int frame = frameOf.get(p.getEventId());
        float[] scores = expected.get(p.getModel().getVersion()).get(frame);
        int top = p.getTopK().get(0).getClassIndex();
        assertThat(p.getTopK().get(0).getScore()).as("top-1 score of frame %d by version %s", frame, p.getModel().getVersion())
            .isCloseTo(scores[top], org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(p.getModel().getName()).isEqualTo("resnet18-tiny");
      }

      String metrics = send(server, "GET", "/prometheus").body();
      assertThat(metrics).contains("visionstream_model_swaps_total{role=\"primary\"} 3.0").contains("visionstream_model_rejections_total{role=\"primary\"} 1.0")
          .contains("visionstream_model_version 5.0").contains("visionstream_model_rejected_versions 1.0")
          .contains("visionstream_model_open_versions 1.0");
    }
  }

  @Test
  void theWatcherSwapsInANewVersionAndRollsBackWhenItIsRemoved(KafkaTestBroker broker) throws Exception {
    String input = broker.uniqueTopic("watch-events");
    broker.createTopic(input, 1);
    broker.createTopic(input + "-predictions", 1);
    broker.createTopic(input + "-dlq", 1);
    Path versions = work.resolve("versions");
    TestVersions.add(versions, 1, 11);
    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class,
        Fixtures.onePort(properties(broker, input, versions)))) {
      TestVersions.add(versions, 2, 12);
      await().atMost(Duration.ofSeconds(30)).until(() -> send(server, "GET", "/model").body().contains("\"version\":\"2\""));
      TestVersions.remove(versions, 2);
      await().atMost(Duration.ofSeconds(30)).until(() -> send(server, "GET", "/model").body().contains("\"version\":\"1\""));
      TestVersions.remove(versions, 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> send(server, "GET", "/health").body()
          .contains("\"note\":\"version 1 was removed from " + versions + " and no other version can serve; still serving it\""));
      assertThat(send(server, "GET", "/health/readiness").statusCode()).isEqualTo(200);
    }
  }

  /** Scores of each frame by the model in {@code dir}, one frame at a time. */
  private static Map<Integer, float[]> scores(Path dir, List<byte[]> frames) {
    Map<Integer, float[]> scores = new HashMap<>();
    try (ClassifierModel model = ClassifierModel.load(dir, SessionSettings.DEFAULT, ClassifierModel.Options.NONE);
        ImagePreprocessor preprocessor = Fixtures.preprocessor(model)) {
      BatchRunner runner = new BatchRunner(model);
      for (int i = 0; i < frames.size(); i++) {
        try (PreprocessedBatch batch = preprocessor.run(List.of(frames.get(i)))) {
          scores.put(i, runner.run(batch.tensor(), false).probabilities()[0]);
        }
      }
    }
    return scores;
  }

  @Test
  void aPinnedVersionThatIsMissingOrABadPollIntervalStopsStartUpNamingTheKey(KafkaTestBroker broker) {
    Path versions = work.resolve("versions");
    TestVersions.add(versions, 1, 11);
    Map<String, Object> pinned = properties(broker, broker.uniqueTopic("pinned"), versions);
    pinned.put("visionstream.classifier.model.version", 3);
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(pinned)).close())
        .hasStackTraceContaining("visionstream.classifier.model.version=3 with visionstream.classifier.model.dir: "
            + versions + " has no version 3");

    Map<String, Object> poll = properties(broker, broker.uniqueTopic("poll"), versions);
    poll.put("visionstream.classifier.model.poll-interval", "-1s");
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(poll)).close())
        .hasStackTraceContaining("visionstream.classifier.model.poll-interval must be 0s (look only on POST /model/reload)"
            + " or positive (got PT-1S)");
  }
}
