package io.visionstream.moderation.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.savedmodel.Labels;
import io.visionstream.model.savedmodel.ModelExporter;
import io.visionstream.model.weights.SeededWeights;
import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.ThresholdRule;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.policy.PolicyHeaders;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier and the moderation service as their own JVMs on the real broker: 1,000 uploads
 * from sources whose policies include rejected and unreadable ones, with oversize and corrupt
 * uploads among them, and the moderation service killed mid-run and restarted with an empty state
 * directory. Every upload gets exactly one decision, and each decision is the one its source's
 * last valid policy (else __default__'s) gives: a rejected policy never applies.
 */
@WithKafkaBroker
class EveryUploadJudgedIT {

  static final int UPLOADS = 1000;
  static final List<String> SOURCES = List.of("cam-lax", "cam-pct", "cam-garbage", "cam-ok", "cam-none", "uploads-eu");
  static final int MAX_RECORD_BYTES = 200_000;
  /** The services' logs, kept for a failed run. */
  static final Path LOGS = Path.of("target", "it-logs", "every-upload-judged");

  @TempDir Path work;

  static ThresholdRule any(Float review, Float block) {
    return ThresholdRule.newBuilder().setReviewAt(review).setBlockAt(block).build();
  }

  static ModerationPolicy policy(long version, ThresholdRule any, ThresholdRule... rules) {
    return ModerationPolicy.newBuilder().setVersion(version).setAnyClass(any).setRules(List.of(rules)).build();
  }

  static byte[] encode(ModerationPolicy policy) {
    return AvroSerdes.of(ModerationPolicy.class).serializer().serialize("policies", policy);
  }

  /**
   * The last valid policy of each key. The seeded 10-class model's top-1 scores lie between 0.16
   * and 0.18 on these frames, so the thresholds sit in that range to give all three verdicts.
   */
  static final Map<String, ModerationPolicy> LAST_VALID = Map.of(
      PolicyEvaluator.DEFAULT_KEY, policy(1, any(0.17f, 0.178f)),
      // top-1 of 10 classes always scores at least 0.1: this policy never allows; its rejected successor would allow all
      "cam-lax", policy(1, any(0.1f, 0.175f)),
      "cam-garbage", policy(1, any(0.165f, null), ThresholdRule.newBuilder().setClassIndex(3).setReviewAt(0.15f)
          .setBlockAt(0.163f).build()),
      "cam-ok", policy(1, any(null, 0.17f)));

  static List<ProducerRecord<String, byte[]>> policyRecords(String topic) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    LAST_VALID.forEach((source, policy) -> records.add(new ProducerRecord<>(topic, source, encode(policy))));
    records.add(new ProducerRecord<>(topic, PolicyEvaluator.DEFAULT_KEY, encode(policy(2, any(Float.NaN, 0.9f)))));
    records.add(new ProducerRecord<>(topic, "cam-lax", encode(policy(2, any(1.5f, null)))));
    records.add(new ProducerRecord<>(topic, "cam-pct", encode(policy(1, any(5f, 10f)))));
    records.add(new ProducerRecord<>(topic, "cam-garbage", "REVIEW NOTHING".getBytes(StandardCharsets.UTF_8)));
    return records;
  }

  @Test
  void aThousandUploadsGetAThousandDecisionsEachByTheLastValidPolicyAcrossAKillAndAnEmptyStateRestart(KafkaTestBroker broker)
      throws Exception {
    Map<String, String> topics = ModerationInstances.topics(broker, 4);
    String uploads = broker.uniqueTopic("uploads");
    broker.createTopic(uploads, 4);
    try (KafkaProducer<String, byte[]> producer = producer(broker)) {
      for (ProducerRecord<String, byte[]> r : policyRecords(topics.get("policies"))) {
        producer.send(r).get();
      }
    }
    String app = UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> moderationProps = ModerationInstances.properties(broker, topics, app, work.resolve("state-1"),
        ModerationInstances.freePort());
    ServiceProcess moderation = ServiceProcess.start("visionstream.it.moderation-target",
        "io.visionstream.moderation.ModerationApplication", moderationProps, LOGS.resolve("moderation-1.log"))
        .awaitHealthy(Duration.ofSeconds(120));
    try (ServiceProcess classifier = startClassifier(broker, topics, uploads)) {
      awaitPolicies(moderation);
      JsonNode rejectedBefore = policyHealth(moderation).get("rejected");
      assertThat(rejectedBefore.get("cam-lax").get("applies").asText()).isEqualTo("its last valid policy, version 1");
      assertThat(rejectedBefore.get("cam-lax").get("rejection").asText()).contains("any_class.review_at = 1.5");
      assertThat(rejectedBefore.get("cam-pct").get("applies").asText()).isEqualTo("the __default__ policy, version 1");
      assertThat(rejectedBefore.get("cam-garbage").get("rejection").asText()).contains("POLICY_UNREADABLE");
      String metrics = moderation.get("/prometheus").body();
      assertThat(metrics).contains("visionstream_moderation_policy_rejections_total{reason=\"POLICY_INVALID\",source=\"cam-lax\"} 1.0")
          .contains("visionstream_moderation_policy_rejections_total{reason=\"POLICY_UNREADABLE\",source=\"cam-garbage\"} 1.0")
          .contains("visionstream_moderation_policies_rejected 4.0");

      classifier.awaitHealthy(Duration.ofSeconds(120));
      Uploads sent = new Uploads();
      try (KafkaProducer<String, byte[]> producer = producer(broker)) {
        sent.send(producer, uploads, 0, UPLOADS / 2);
        // kill the moderation service mid-run, then restart it with an empty state directory
        await().atMost(Duration.ofSeconds(120)).until(() -> committedCount(broker, topics.get("decisions")) >= UPLOADS / 4);
        moderation.kill();
        moderationProps.put("visionstream.streams.state-dir", work.resolve("state-2-empty").toString());
        moderation = ServiceProcess.start("visionstream.it.moderation-target",
            "io.visionstream.moderation.ModerationApplication", moderationProps, LOGS.resolve("moderation-2.log"))
            .awaitHealthy(Duration.ofSeconds(120));
        sent.send(producer, uploads, UPLOADS / 2, UPLOADS);
        for (int i = 0; i < 5; i++) {
          producer.send(new ProducerRecord<>(uploads, "cam-ok", ("not an image event " + i).getBytes(StandardCharsets.UTF_8))).get();
        }
      }

      List<ModerationDecision> decisions = ModerationInstances.read(broker, topics.get("decisions"), UPLOADS,
          ModerationDecision.class);
      assertThat(decisions.stream().map(ModerationDecision::getEventId).collect(Collectors.toSet()))
          .as("one decision per upload").isEqualTo(sent.ids());
      Map<UUID, Prediction> predictions = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : ModerationInstances.readRaw(broker, topics.get("predictions"),
          UPLOADS - sent.oversize.size() - sent.corrupt.size())) {
        Prediction p = AvroSerdes.prediction().deserializer().deserialize(r.topic(), r.value());
        predictions.put(p.getEventId(), p);
      }
      Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
      for (ModerationDecision d : decisions) {
        verdicts.merge(d.getVerdict(), 1, Integer::sum);
        if (sent.oversize.contains(d.getEventId()) || sent.corrupt.contains(d.getEventId())) {
          assertThat(d.getVerdict()).isEqualTo(Verdict.NOT_CLASSIFIED);
          assertThat(d.getNote()).startsWith("dead-lettered by the classifier: "
              + (sent.oversize.contains(d.getEventId()) ? "RECORD_TOO_LARGE" : "UNDECODABLE"));
          assertThat(d.getSourceId()).isEqualTo(sent.sourceOf.get(d.getEventId()));
          assertThat(d.getModel()).as("no prediction, no model").isNull();
          continue;
        }
        Prediction p = predictions.get(d.getEventId());
        assertThat(p.getStatus()).isEqualTo(PredictionStatus.CLASSIFIED);
        String key = LAST_VALID.containsKey(p.getSourceId()) ? p.getSourceId() : PolicyEvaluator.DEFAULT_KEY;
        ModerationDecision expected = PolicyEvaluator.decide(p, LAST_VALID.get(key), key, d.getDecidedAt());
        assertThat(d.getVerdict()).as("event %s of %s", d.getEventId(), p.getSourceId()).isEqualTo(expected.getVerdict());
        assertThat(d.getPolicySource()).isEqualTo(key);
        assertThat(d.getPolicyVersion()).isEqualTo(1);
        assertThat(d.getReasons()).isEqualTo(expected.getReasons());
        assertThat(d.getModel()).as("the model of the prediction judged").isEqualTo(p.getModel());
      }
      assertThat(decisions).filteredOn(d -> d.getSourceId().equals("cam-lax"))
          .as("cam-lax's last valid policy never allows; the rejected one would have allowed all")
          .isNotEmpty().noneMatch(d -> d.getVerdict() == Verdict.ALLOW);
      assertThat(verdicts.get(Verdict.NOT_CLASSIFIED)).isEqualTo(sent.oversize.size() + sent.corrupt.size());
      assertThat(verdicts).containsKeys(Verdict.ALLOW, Verdict.REVIEW, Verdict.BLOCK);

      // the table rebuilt from the accepted topic after the empty-state restart knows the rejections too
      ServiceProcess restarted = moderation;
      JsonNode rejectedAfter = policyHealth(restarted).get("rejected");
      assertThat(fieldNames(rejectedAfter)).containsExactlyInAnyOrder(PolicyEvaluator.DEFAULT_KEY, "cam-lax", "cam-pct",
          "cam-garbage");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(restarted.get("/prometheus").body())
          .contains("visionstream_moderation_unidentified_dead_letters_total{reason=\"INVALID_EVENT\"} 5.0"));
      List<ConsumerRecord<String, byte[]>> rejected = ModerationInstances.readRaw(broker, topics.get("rejected"), 4);
      assertThat(rejected).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(PolicyEvaluator.DEFAULT_KEY, "cam-lax",
          "cam-pct", "cam-garbage");
      assertThat(rejected).allSatisfy(r -> assertThat(r.headers().lastHeader(PolicyHeaders.FIELD)).isNotNull());
      assertThat(ModerationInstances.readRaw(broker, topics.get("dlq"), 0)).isEmpty();
    } finally {
      moderation.close();
    }
  }

  private ServiceProcess startClassifier(KafkaTestBroker broker, Map<String, String> topics, String uploads) throws IOException {
    Path model = work.resolve("model");
    ModelExporter.export(new ModelExporter.Request(ResNetArchitecture.RESNET18, 10, new SeededWeights(5), Labels.numbered(10),
        "resnet18-tiny", "seed-5", new ResNetBuilder.Options(64, true), Preprocessing.TORCHVISION.withCropSize(64)), model);
    Map<String, String> p = new HashMap<>();
    p.put("micronaut.server.port", Integer.toString(ModerationInstances.freePort()));
    p.put("visionstream.kafka.bootstrap-servers", broker.bootstrapServers());
    p.put("visionstream.classifier.model.dir", model.toString());
    p.put("visionstream.classifier.topics.input", uploads);
    p.put("visionstream.classifier.topics.predictions", topics.get("predictions"));
    p.put("visionstream.classifier.topics.dead-letters", topics.get("classifier-dlq"));
    p.put("visionstream.classifier.limits.max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    p.put("visionstream.classifier.delivery.guarantee", "EXACTLY_ONCE");
    p.put("visionstream.classifier.delivery.group-id", broker.uniqueTopic("classifier"));
    p.put("visionstream.classifier.delivery.transactional-id", broker.uniqueTopic("classifier-tx"));
    return ServiceProcess.start("visionstream.it.classifier-target", "io.visionstream.classifier.ClassifierApplication", p,
        LOGS.resolve("classifier.log"));
  }

  private static void awaitPolicies(ServiceProcess moderation) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonNode table = policyHealth(moderation);
      assertThat(table.get("policies").asInt()).isEqualTo(LAST_VALID.size());
      assertThat(fieldNames(table.get("rejected"))).hasSize(4);
    });
  }

  private static JsonNode policyHealth(ServiceProcess service) throws IOException, InterruptedException {
    JsonNode health = service.health();
    assertThat(health.get("status").asText()).as(health.toString()).isEqualTo("UP");
    return health.get("details").get("moderationPolicies").get("details");
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static long committedCount(KafkaTestBroker broker, String topic) {
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(broker.clientConfig(Map.of(
        "isolation.level", "read_committed")), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      var partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static KafkaProducer<String, byte[]> producer(KafkaTestBroker broker) {
    return new KafkaProducer<>(broker.clientConfig(Map.of(ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20)), new StringSerializer(), new ByteArraySerializer());
  }

  /** The uploads sent, by kind: every 20th (from the 8th) too large, every 50th (from the 14th) a corrupt JPEG. */
  static final class Uploads {
    final Map<UUID, String> sourceOf = new HashMap<>();
    final Set<UUID> oversize = new HashSet<>();
    final Set<UUID> corrupt = new HashSet<>();
    private final List<byte[]> frames = frames(12);
    private final Random random = new Random(13);

    void send(KafkaProducer<String, byte[]> producer, String topic, int from, int to) throws Exception {
      for (int i = from; i < to; i++) {
        String source = SOURCES.get(i % SOURCES.size());
        byte[] image = frames.get(i % frames.size());
        if (i % 20 == 7) {
          image = new byte[MAX_RECORD_BYTES + 50_000];
          random.nextBytes(image);
        } else if (i % 50 == 13) {
          image = Arrays.copyOf(image, image.length / 3);
        }
        ImageEvent event = ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId(source)
            .setCapturedAt(Instant.now()).setContentType(ContentType.JPEG).setImage(ByteBuffer.wrap(image))
            .setAttributes(Map.of()).build();
        sourceOf.put(event.getEventId(), source);
        if (i % 20 == 7) {
          oversize.add(event.getEventId());
        } else if (i % 50 == 13) {
          corrupt.add(event.getEventId());
        }
        producer.send(new ProducerRecord<>(topic, source, AvroSerdes.imageEvent().serializer().serialize(topic, event)));
      }
      producer.flush();
    }

    Set<UUID> ids() {
      return sourceOf.keySet();
    }

    private static List<byte[]> frames(int count) {
      Random random = new Random(21);
      List<byte[]> frames = new ArrayList<>();
      for (int n = 0; n < count; n++) {
        BufferedImage image = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int s = 0; s < 12; s++) {
          g.setColor(new Color(random.nextInt(0xFFFFFF)));
          g.fillRect(random.nextInt(160), random.nextInt(120), 10 + random.nextInt(80), 10 + random.nextInt(60));
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
          ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        frames.add(out.toByteArray());
      }
      return frames;
    }
  }
}
