package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.classifier.ClassifierService;
import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.schemas.ContentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The classifier as a Micronaut service: configuration binding and checks, health, Prometheus metrics. */
@WithKafkaBroker
class ClassifierApplicationIT {

  private final HttpClient http = HttpClient.newHttpClient();

  private static Map<String, Object> properties(KafkaTestBroker broker, String input) {
    return Fixtures.serviceProperties(broker, input, Fixtures.model());
  }

  private HttpResponse<String> get(EmbeddedServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void serviceClassifiesReportsHealthAndExportsMetrics(KafkaTestBroker broker) throws Exception {
    String input = broker.uniqueTopic("app-events");
    broker.createTopic(input, 2);
    broker.createTopic(input + "-predictions", 2);
    broker.createTopic(input + "-dlq", 1);
    Map<String, Object> properties = properties(broker, input);
    properties.put("visionstream.classifier.delivery.guarantee", "exactly-once");
    properties.put("visionstream.classifier.load.policy", "drop-stale");
    properties.put("visionstream.classifier.load.max-frame-age", "1m");
    properties.put("visionstream.kafka.consumer.client.id", "classifier-under-test");

    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(properties))) {
      ApplicationContext context = server.getApplicationContext();
      assertThat(context.getBean(DeliveryConfig.class).guarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
      assertThat(context.getBean(LoadPolicyConfig.class).policy()).isEqualTo(LoadPolicy.DROP_STALE);
      assertThat(context.getBean(LoadPolicyConfig.class).maxFrameAge()).isEqualTo(Duration.ofMinutes(1));

      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (byte[] frame : Fixtures.jpegs(30, 70)) {
        records.add(new ProducerRecord<>(input, "camera-1".getBytes(StandardCharsets.UTF_8),
            Fixtures.encode(Fixtures.event("camera-1", frame, ContentType.JPEG, Instant.now(), Map.of()))));
      }
      records.add(new ProducerRecord<>(input, "camera-1".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}));
      try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
        Fixtures.send(producer, records);
      }
      ClassifierService service = context.getBean(ClassifierService.class);
      await().atMost(Duration.ofSeconds(60)).until(() -> service.pipeline().metrics().count(Outcome.Kind.CLASSIFIED) == 30
          && service.pipeline().metrics().count(Outcome.Kind.DEAD_LETTER) == 1);

      HttpResponse<String> ready = get(server, "/health/readiness");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).contains("\"status\":\"UP\"").contains("\"state\":\"RUNNING\"").contains("\"name\":\"resnet18-tiny\",\"version\":\"seed-9\"");
      assertThat(get(server, "/health/liveness").statusCode()).isEqualTo(200);
      String metrics = get(server, "/prometheus").body();
      assertThat(metrics).contains("visionstream_classifier_outcomes_total{kind=\"classified\"} 30.0")
          .contains("visionstream_classifier_dead_letters_total{reason=\"INVALID_EVENT\"} 1.0")
          .contains("visionstream_classifier_batch_size_count").contains("visionstream_classifier_inference_seconds_count")
          .contains("visionstream_classifier_latency_seconds_bucket").contains("visionstream_classifier_batch_wait_seconds_count")
          .contains("visionstream_classifier_in_flight_records").contains("visionstream_classifier_paused")
          .contains("visionstream_classifier_queue_depth{stage=\"decode\"}");
    }
  }

  @Test
  void badConfigurationStopsStartUpNamingTheKeyAndTheFix(KafkaTestBroker broker) {
    Map<String, Object> zeroBatch = properties(broker, broker.uniqueTopic("bad"));
    zeroBatch.put("visionstream.classifier.batching.max-batch-size", 0);
    zeroBatch.put("visionstream.classifier.backpressure.resume-ratio", 2);
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(zeroBatch)).close())
        .hasStackTraceContaining("visionstream.classifier.batching.max-batch-size must be positive (got 0)")
        .hasStackTraceContaining("visionstream.classifier.backpressure.resume-ratio must be between 0 and 1 exclusive (got 2.0)");

    Map<String, Object> noModel = properties(broker, broker.uniqueTopic("bad"));
    noModel.put("visionstream.classifier.model.dir", "/nonexistent/model");
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(noModel)).close())
        .hasStackTraceContaining("visionstream.classifier.model.dir must name a SavedModel directory or a directory of numbered versions of one (got /nonexistent/model)")
        .hasStackTraceContaining("visionstream-model build");

    Map<String, Object> mode = properties(broker, broker.uniqueTopic("bad"));
    mode.put("visionstream.classifier.model.preprocessing-mode", "turbo");
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(mode)).close())
        .hasStackTraceContaining("visionstream.classifier.model.preprocessing-mode must be exact or fast (got turbo)");

    Map<String, Object> autoCommit = properties(broker, broker.uniqueTopic("bad"));
    autoCommit.put("visionstream.kafka.consumer.enable.auto.commit", "true");
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(autoCommit)).close())
        .hasStackTraceContaining("visionstream.kafka.consumer.enable.auto.commit");
  }
}
