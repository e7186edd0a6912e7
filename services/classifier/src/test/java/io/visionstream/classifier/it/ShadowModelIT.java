package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.serving.TestVersions;
import io.visionstream.model.weights.SeededWeights;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shadow model beside the primary, on the real broker. */
@WithKafkaBroker
class ShadowModelIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path work;

  private Map<String, Object> properties(KafkaTestBroker broker, String input, Path primary, Path shadow) {
    Map<String, Object> properties = Fixtures.serviceProperties(broker, input, primary);
    properties.put("visionstream.classifier.model.shadow-dir", shadow.toString());
    properties.put("visionstream.classifier.model.shadow-topic", input + "-shadow");
    properties.put("visionstream.classifier.delivery.guarantee", "exactly-once");
    return properties;
  }

  private String get(EmbeddedServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static String topic(KafkaTestBroker broker, String name) {
    String input = broker.uniqueTopic(name);
    broker.createTopic(input, 2);
    broker.createTopic(input + "-predictions", 2);
    broker.createTopic(input + "-dlq", 1);
    broker.createTopic(input + "-shadow", 1);
    return input;
  }

  private static List<ImageEvent> send(KafkaTestBroker broker, String input, int count) {
    List<ImageEvent> events = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<byte[]> frames = Fixtures.jpegs(40, 500);
    for (int i = 0; i < count; i++) {
      ImageEvent event = Fixtures.event("camera-" + (i % 3), frames.get(i % frames.size()), ContentType.JPEG, Instant.now(),
          Map.of());
      events.add(event);
      records.add(new ProducerRecord<>(input, event.getSourceId().getBytes(StandardCharsets.UTF_8), Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    return events;
  }

  private static double metric(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void theShadowPredictsTheSampledEventsToItsOwnTopicAndReportsAgreementWithThePrimary(KafkaTestBroker broker)
      throws Exception {
    String input = topic(broker, "shadowed");
    Path primary = TestVersions.add(work.resolve("primary"), 1, 21);
    // the candidate has the primary's weights: it must agree with it on (nearly) every image
    Path shadow = TestVersions.add(work.resolve("shadow"), 7, 21);
    Map<String, Object> properties = properties(broker, input, primary.getParent(), shadow.getParent());
    properties.put("visionstream.classifier.model.shadow-sample", "0.5");
    properties.put("visionstream.classifier.model.shadow-queue", "1000");
    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(properties))) {
      List<ImageEvent> events = send(broker, input, 200);
      Set<UUID> sampled = events.stream().map(ImageEvent::getEventId).filter(id -> ShadowModel.sampled(id, 0.5))
          .collect(Collectors.toSet());
      assertThat(sampled.size()).isBetween(60, 140);

      List<Prediction> predictions = Fixtures.read(broker, input + "-predictions", 200, Duration.ofSeconds(60), true).stream()
          .map(Fixtures::prediction).toList();
      assertThat(predictions).hasSize(200).allSatisfy(p -> assertThat(p.getModel().getVersion()).isEqualTo("1"));
      List<Prediction> shadowed = Fixtures.read(broker, input + "-shadow", sampled.size(), Duration.ofSeconds(60), false)
          .stream().map(Fixtures::prediction).toList();
      assertThat(shadowed).allSatisfy(p -> assertThat(p.getModel().getVersion()).isEqualTo("7"));
      assertThat(shadowed.stream().map(Prediction::getEventId).collect(Collectors.toSet())).isEqualTo(sampled);

      Map<UUID, Integer> primaryTop1 = predictions.stream().collect(Collectors.toMap(Prediction::getEventId,
          p -> p.getTopK().get(0).getClassIndex()));
      long agreeing = shadowed.stream().filter(p -> p.getTopK().get(0).getClassIndex() == primaryTop1.get(p.getEventId()))
          .count();
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(get(server, "/prometheus"),
          "visionstream_shadow_images_total{result=\"predicted\"}") == sampled.size());
      String metrics = get(server, "/prometheus");
      assertThat(metric(metrics, "visionstream_shadow_top1_total{result=\"agree\"}")).isEqualTo(agreeing);
      assertThat(metric(metrics, "visionstream_shadow_top1_agreement")).isCloseTo((double) agreeing / sampled.size(),
          org.assertj.core.data.Offset.offset(1e-9));
      assertThat((double) agreeing / sampled.size()).isGreaterThan(0.95);
      assertThat(metric(metrics, "visionstream_shadow_images_total{result=\"shed\"}")).isZero();
      assertThat(metrics).contains("visionstream_model_inference_seconds_count{model=\"resnet18-tiny\",role=\"shadow\","
          + "version=\"7\"}").contains("visionstream_model_inference_seconds_count{model=\"resnet18-tiny\",role=\"primary\","
          + "version=\"1\"}");
      assertThat(get(server, "/model")).contains("\"shadow\":{\"name\":\"resnet18-tiny\",\"version\":\"7\"")
          .contains("\"top1Agreement\":");
      System.out.printf("shadow: %d of 200 events sampled, top-1 agreement with the primary %d of %d%n", sampled.size(),
          agreeing, sampled.size());
    }
  }

  @Test
  void aFullShadowQueueShedsImagesAndThePrimaryStillPredictsEveryEventOnce(KafkaTestBroker broker) throws Exception {
    String input = topic(broker, "shed");
    Path primary = TestVersions.add(work.resolve("primary"), 1, 21);
    Path shadow = TestVersions.add(work.resolve("shadow"), 1, 22);
    Map<String, Object> properties = properties(broker, input, primary.getParent(), shadow.getParent());
    properties.put("visionstream.classifier.model.shadow-sample", "1");
    properties.put("visionstream.classifier.model.shadow-queue", "1");
    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(properties))) {
      List<ImageEvent> events = send(broker, input, 300);
      List<Prediction> predictions = Fixtures.read(broker, input + "-predictions", 300, Duration.ofSeconds(60), true).stream()
          .map(Fixtures::prediction).toList();
      assertThat(predictions).hasSize(300);
      assertThat(predictions.stream().map(Prediction::getEventId).collect(Collectors.toSet()))
          .isEqualTo(events.stream().map(ImageEvent::getEventId).collect(Collectors.toSet()));
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        String metrics = get(server, "/prometheus");
        return metric(metrics, "visionstream_shadow_images_total{result=\"predicted\"}")
            + metric(metrics, "visionstream_shadow_images_total{result=\"shed\"}") == 300;
      });
      double shed = metric(get(server, "/prometheus"), "visionstream_shadow_images_total{result=\"shed\"}");
      assertThat(shed).isPositive();
      System.out.printf("shadow queue of 1: %.0f of 300 images shed%n", shed);
    }
  }

  @Test
  void aShadowThatDoesNotFitThePrimaryStopsStartUpNamingTheKey(KafkaTestBroker broker) {
    Path primary = TestVersions.add(work.resolve("primary"), 1, 21);
    Path shadow = TestVersions.add(work.resolve("shadow"), 1, new SeededWeights(3), 5, TestVersions.SIZE);
    Map<String, Object> properties = properties(broker, broker.uniqueTopic("misfit"), primary.getParent(), shadow.getParent());
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(properties)).close())
        .hasStackTraceContaining("visionstream.classifier.model.shadow-dir=" + shadow.getParent() + " cannot shadow "
            + primary.getParent() + ": it scores 5 classes; the serving model scores 10");
    Map<String, Object> sample = properties(broker, broker.uniqueTopic("misfit"), primary.getParent(), shadow.getParent());
    sample.put("visionstream.classifier.model.shadow-sample", "0");
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(sample)).close())
        .hasStackTraceContaining("visionstream.classifier.model.shadow-sample must be in (0, 1] (got 0.0)");
  }
}
