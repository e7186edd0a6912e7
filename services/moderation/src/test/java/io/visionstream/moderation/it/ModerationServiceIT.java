package io.visionstream.moderation.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.moderation.StreamsFactory;
import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.moderation.tags.TagWindows;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.ThresholdRule;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.serde.AvroSerdes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on the real broker, exactly-once, two instances sharing the work: predictions in,
 * decisions, review items and tag summaries out, and a tag query to either instance answers for
 * any source.
 */
@WithKafkaBroker
class ModerationServiceIT {

  static final int SOURCES = 8;
  static final int FRAMES = 5;
  static final Instant WINDOW = Instant.parse("2026-11-22T10:00:00Z");

  @TempDir Path state;

  @Test
  void predictionsBecomeDecisionsAndTagSummariesQueryableFromEitherOfTwoInstances(KafkaTestBroker broker) throws Exception {
    Map<String, String> topics = ModerationInstances.topics(broker, 4);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(Map.of()), new StringSerializer(),
        new ByteArraySerializer())) {
      // Policies first: each instance's global table restores them before it judges anything.
      producer.send(new ProducerRecord<>(topics.get("policies"), PolicyEvaluator.DEFAULT_KEY, policy(1,
          ThresholdRule.newBuilder().setReviewAt(0.95f).build())));
      producer.send(new ProducerRecord<>(topics.get("policies"), "cam-03", policy(4,
          ThresholdRule.newBuilder().setLabel("cat").setBlockAt(0.5f).build())));
      producer.flush();
    }
    String app = UUID.randomUUID().toString().substring(0, 8);
    try (EmbeddedServer a = ModerationInstances.start(broker, topics, app, state.resolve("a"));
        EmbeddedServer b = ModerationInstances.start(broker, topics, app, state.resolve("b"))) {
      for (EmbeddedServer s : List.of(a, b)) {
        KafkaStreams tagging = s.getApplicationContext().getBean(KafkaStreams.class, io.micronaut.inject.qualifiers.Qualifiers
            .byName(StreamsFactory.TAGGING));
        await().atMost(Duration.ofSeconds(60)).until(() -> tagging.state() == KafkaStreams.State.RUNNING);
        // both policies screened and in this instance's table before any prediction is judged
        PolicyTable table = s.getApplicationContext().getBean(PolicyTable.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> table.policies() == 2);
      }
      List<UUID> sent = new ArrayList<>();
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(Map.of()), new StringSerializer(),
          new ByteArraySerializer())) {
        for (int s = 1; s <= SOURCES; s++) {
          String source = String.format("cam-%02d", s);
          for (int f = 0; f < FRAMES; f++) {
            Prediction p = prediction(source, WINDOW.plusSeconds(s * 5 + f), f < 3 ? "cat" : "dog", f < 3 ? 0.9f : 0.97f);
            sent.add(p.getEventId());
            producer.send(new ProducerRecord<>(topics.get("predictions"), source,
                AvroSerdes.prediction().serializer().serialize(topics.get("predictions"), p)));
          }
        }
        producer.send(new ProducerRecord<>(topics.get("predictions"), "cam-01", "corrupt".getBytes(StandardCharsets.UTF_8)));
      }

      List<ModerationDecision> decisions = ModerationInstances.read(broker, topics.get("decisions"), SOURCES * FRAMES, ModerationDecision.class);
      assertThat(decisions).extracting(ModerationDecision::getEventId).containsExactlyInAnyOrderElementsOf(sent);
      Map<String, List<Verdict>> bySource = new HashMap<>();
      decisions.forEach(d -> bySource.computeIfAbsent(d.getSourceId(), k -> new ArrayList<>()).add(d.getVerdict()));
      // cam-03: cat blocks at 0.5 by its own policy; elsewhere the default reviews scores from 0.95 (the dogs)
      assertThat(bySource.get("cam-03")).containsExactlyInAnyOrder(Verdict.BLOCK, Verdict.BLOCK, Verdict.BLOCK,
          Verdict.ALLOW, Verdict.ALLOW);
      assertThat(bySource.get("cam-05")).containsExactlyInAnyOrder(Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW,
          Verdict.REVIEW, Verdict.REVIEW);
      assertThat(ModerationInstances.read(broker, topics.get("review"), 3 + 2 * (SOURCES - 1), ModerationDecision.class))
          .allSatisfy(d -> assertThat(d.getVerdict()).isNotEqualTo(Verdict.ALLOW));
      assertThat(ModerationInstances.readRaw(broker, topics.get("dlq"), 1)).singleElement().satisfies(r ->
          assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("corrupt"));
      assertThat(ModerationInstances.readRaw(broker, topics.get("tags-dlq"), 1)).hasSize(1);

      JsonMapper json = a.getApplicationContext().getBean(JsonMapper.class);
      HttpClient http = HttpClient.newHttpClient();
      Set<String> servedBy = new HashSet<>();
      for (EmbeddedServer asked : List.of(a, b)) {
        for (int s = 1; s <= SOURCES; s++) {
          String source = String.format("cam-%02d", s);
          URI uri = URI.create(asked.getURL() + "/tags/" + source);
          await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            TagWindows tags = json.readValue(response.body(), TagWindows.class);
            assertThat(tags.sourceId()).isEqualTo(source);
            assertThat(tags.windows()).singleElement().satisfies(w -> {
              assertThat(w.start()).isEqualTo(WINDOW.toString());
              assertThat(w.framesSeen()).isEqualTo(FRAMES);
              assertThat(w.labelCounts()).isEqualTo(Map.of("cat", 3L, "dog", 2L));
            });
            servedBy.add(tags.servedBy());
          });
        }
      }
      assertThat(servedBy).as("both instances hold some sources, so queries were routed").hasSize(2);
      HttpResponse<byte[]> unknown = http.send(HttpRequest.newBuilder(URI.create(b.getURL() + "/tags/cam-none")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(unknown.statusCode()).isEqualTo(200);
      assertThat(json.readValue(unknown.body(), TagWindows.class).windows()).isEmpty();

      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(a.getURL() + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      assertThat(health.body()).contains("\"kafkaStreams\"").contains("\"threadState\":\"RUNNING\"");
      String metrics = http.send(HttpRequest.newBuilder(URI.create(a.getURL() + "/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("kafka_stream_").contains("application=\"tagging\"");
    }
  }

  private static byte[] policy(long version, ThresholdRule rule) {
    ModerationPolicy policy = rule.getLabel() == null
        ? ModerationPolicy.newBuilder().setVersion(version).setAnyClass(rule).build()
        : ModerationPolicy.newBuilder().setVersion(version).setRules(List.of(rule)).build();
    return AvroSerdes.of(ModerationPolicy.class).serializer().serialize("policies", policy);
  }

  private static Prediction prediction(String source, Instant captured, String label, float score) {
    return Prediction.newBuilder().setEventId(UUID.randomUUID()).setSourceId(source).setCapturedAt(captured)
        .setModel(ModelRef.newBuilder().setName("resnet50").setVersion("it").build()).setStatus(PredictionStatus.CLASSIFIED)
        .setTopK(List.of(ClassScore.newBuilder().setLabel(label).setClassIndex(label.equals("cat") ? 281 : 207).setScore(score)
            .build()))
        .setBatchSize(1).setInferenceMicros(10).setProcessedAt(captured).build();
  }
}
