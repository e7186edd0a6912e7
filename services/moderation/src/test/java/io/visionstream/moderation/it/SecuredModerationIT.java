package io.visionstream.moderation.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.visionstream.kafka.local.LocalKafkaSecurity;
import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import io.visionstream.kafka.testkit.SecureKafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.ThresholdRule;
import io.visionstream.schemas.serde.AvroSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged moderation service on the secured broker, with the client configuration file the
 * broker wrote for its user and the topic and application names the broker's ACLs grant: it judges
 * what the classifier's user wrote; a wrong password, a user without its ACLs and an ACL taken away
 * while it runs are each named (principal and resource) in the log and end in exit code 1, with
 * nothing judged or committed past the record it could not write. No password is printed.
 */
@WithKafkaBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredModerationIT {

  private static final String MAIN = "io.visionstream.moderation.ModerationApplication";
  private static final String PREDICTIONS = "predictions";
  private static final String DECISIONS = "moderation-decisions";
  private static final String GROUP = "visionstream-moderation";

  @TempDir static Path state;

  @BeforeAll
  static void topics(SecureKafkaTestBroker broker) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      for (String topic : List.of(PREDICTIONS, "image-events.dlq", DECISIONS, "moderation-review", "moderation.dlq",
          "tagging.dlq", "camera-tags", "moderation-policies")) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, topic.equals(PREDICTIONS) ? 2 : 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
    // an operator's default policy, written as the admin: review from 0.5, block from 0.9
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(Map.of()), new StringSerializer(),
        new ByteArraySerializer())) {
      ModerationPolicy policy = ModerationPolicy.newBuilder().setVersion(1)
          .setAnyClass(ThresholdRule.newBuilder().setReviewAt(0.5f).setBlockAt(0.9f).build()).build();
      producer.send(new ProducerRecord<>("moderation-policies", PolicyEvaluator.DEFAULT_KEY,
          AvroSerdes.of(ModerationPolicy.class).serializer().serialize("moderation-policies", policy))).get();
    }
  }

  @Test
  @Order(1)
  void judgesWhatTheClassifiersUserWroteAndPrintsNoPassword(SecureKafkaTestBroker broker) throws Exception {
    Path log = log("secured-moderation");
    Map<String, String> properties = properties(broker, broker.clientConfigFile(User.MODERATION));
    // the deployed layout: tag queries (with a token) on the public port, health details and
    // metrics on the management port
    int management = ModerationInstances.freePort();
    properties.put("endpoints.all.port", Integer.toString(management));
    String token = UUID.randomUUID().toString();
    Path tokenFile = state.resolve("query-token");
    Files.writeString(tokenFile, token + "\n");
    properties.put("visionstream.tagging.query-token-file", tokenFile.toString());
    // Kafka's own dump of every client and Streams configuration, from the first one on, to check
    // that it hides the secrets too
    Path logback = state.resolve("logback-config-dump.xml");
    Files.writeString(logback, new String(getClass().getResourceAsStream("/logback.xml").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8).replace("<root ",
        "<logger name=\"org.apache.kafka.common.config.AbstractConfig\" level=\"INFO\"/>\n  <root "));
    properties.put("logback.configurationFile", logback.toString());
    try (ServiceProcess moderation = ServiceProcess.start("visionstream.it.moderation-target", MAIN, properties, log)) {
      moderation.awaitHealthy(Duration.ofSeconds(90));
      List<UUID> sent = sendAsClassifier(broker, 10);
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
          assertThat(decisions(broker, sent.size())).containsExactlyInAnyOrderElementsOf(sent));

      String publicHealth = moderation.get("/health").body();
      assertThat(publicHealth).as("anonymous callers get the status only").isEqualTo("{\"status\":\"UP\"}");
      HttpResponse<String> health = get(management, "/health", null);
      assertThat(health.body()).contains("\"streamsFailure\"").contains("\"moderationPolicies\"");
      assertThat(moderation.get("/prometheus").statusCode()).as("no metrics on the public port").isEqualTo(404);
      assertThat(get(management, "/prometheus", null).body()).contains("visionstream_moderation_decisions_total");
      assertThat(moderation.get("/tags/secure-cam-0").statusCode()).as("no token").isEqualTo(401);
      assertThat(get(Integer.parseInt(properties.get("micronaut.server.port")), "/tags/secure-cam-0", "wrong-token-0123456")
          .statusCode()).isEqualTo(401);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(get(Integer.parseInt(
          properties.get("micronaut.server.port")), "/tags/secure-cam-0", token).statusCode()).isEqualTo(200));
      assertThat(get(management, "/tags/secure-cam-0", token).statusCode()).as("no tag queries on the management port")
          .isEqualTo(404);
      moderation.close();
      String text = Files.readString(log);
      assertThat(text).contains("StreamsConfig values").contains("sasl.jaas.config = [hidden]");
      assertNoSecret(broker.security(), text, health.body(), publicHealth);
      assertThat(text).doesNotContain(token);
    }
  }

  private static HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(2)
  void aUserWithoutTheAclsIsNamedWithTheTopicAndEndsInExitOne(SecureKafkaTestBroker broker) throws Exception {
    Path log = log("moderation-missing-acl");
    // the load test's user: valid, but may not create or describe the policy topics
    try (ServiceProcess moderation = ServiceProcess.start("visionstream.it.moderation-target", MAIN,
        properties(broker, broker.clientConfigFile(User.LOADTEST)), log)) {
      assertThat(moderation.awaitExit(Duration.ofSeconds(90))).isEqualTo(1);
      assertThat(Files.readString(log)).contains("User:loadtest is not authorized for topic moderation-policies.");
      assertNoSecret(broker.security(), Files.readString(log));
    }
  }

  @Test
  @Order(3)
  void aWrongPasswordIsNamedAndEndsInExitOne(SecureKafkaTestBroker broker, @TempDir Path dir) throws Exception {
    Path wrong = dir.resolve("moderation.properties");
    Files.writeString(wrong, Files.readString(broker.clientConfigFile(User.MODERATION))
        .replace(broker.security().password(User.MODERATION), "not-the-password"));
    Path log = log("moderation-wrong-password");
    try (ServiceProcess moderation = ServiceProcess.start("visionstream.it.moderation-target", MAIN,
        properties(broker, wrong), log)) {
      assertThat(moderation.awaitExit(Duration.ofSeconds(90))).isEqualTo(1);
      String text = Files.readString(log);
      assertThat(text).contains("the brokers refused to authenticate User:moderation").doesNotContain("not-the-password");
      assertNoSecret(broker.security(), text);
    }
  }

  @Test
  @Order(4)
  void anAclTakenAwayWhileRunningStopsTheServiceWithoutCommittingPastTheRecord(SecureKafkaTestBroker broker)
      throws Exception {
    AclBinding writeDecisions = new AclBinding(new ResourcePattern(ResourceType.TOPIC, DECISIONS, PatternType.LITERAL),
        new AccessControlEntry(User.MODERATION.principal(), "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    Path log = log("moderation-acl-removed");
    List<UUID> refused;
    Map<?, ?> committedBefore;
    try (ServiceProcess moderation = ServiceProcess.start("visionstream.it.moderation-target", MAIN,
        properties(broker, broker.clientConfigFile(User.MODERATION)), log)) {
      moderation.awaitHealthy(Duration.ofSeconds(90));
      // everything before is judged and committed
      List<UUID> before = sendAsClassifier(broker, 2);
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
          assertThat(decisions(broker, Integer.MAX_VALUE)).containsAll(before));
      await().atMost(Duration.ofSeconds(30)).until(() -> lag(broker) == 0);
      committedBefore = committed(broker);
      try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
        admin.deleteAcls(List.of(writeDecisions.toFilter())).all().get();
      }
      refused = sendAsClassifier(broker, 1);
      assertThat(moderation.awaitExit(Duration.ofSeconds(120))).isEqualTo(1);
    }
    String text = Files.readString(log);
    assertThat(text).contains("Kafka Streams application " + GROUP + " stopped: User:moderation is not authorized for topic(s) ["
        + DECISIONS + "]").contains("exits with code 1");
    assertThat(committed(broker)).as("nothing committed past the record it could not judge").isEqualTo(committedBefore);
    assertThat(decisions(broker, Integer.MAX_VALUE)).doesNotContainAnyElementsOf(refused);

    // the ACL back: a restarted service judges the record it was refused
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      admin.createAcls(List.of(writeDecisions)).all().get();
    }
    try (ServiceProcess moderation = ServiceProcess.start("visionstream.it.moderation-target", MAIN,
        properties(broker, broker.clientConfigFile(User.MODERATION)), log("moderation-acl-restored"))) {
      moderation.awaitHealthy(Duration.ofSeconds(90));
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
          assertThat(decisions(broker, Integer.MAX_VALUE)).containsAll(refused));
    }
  }

  private static Map<String, String> properties(SecureKafkaTestBroker broker, Path clientConfig) {
    Map<String, String> p = new HashMap<>();
    p.put("micronaut.server.port", Integer.toString(ModerationInstances.freePort()));
    p.put("kafka.bootstrap.servers", broker.bootstrapServers());
    p.put("visionstream.kafka.client-config", clientConfig.toString());
    p.put("visionstream.streams.state-dir", state.resolve("streams").toString());
    return p;
  }

  private static List<UUID> sendAsClassifier(SecureKafkaTestBroker broker, int count) throws Exception {
    List<UUID> ids = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(User.CLASSIFIER,
        Map.of(ProducerConfig.ACKS_CONFIG, "all")), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        String source = "secure-cam-" + (i % 3);
        Prediction p = Prediction.newBuilder().setEventId(UUID.randomUUID()).setSourceId(source).setCapturedAt(Instant.now())
            .setModel(ModelRef.newBuilder().setName("resnet50").setVersion("it").build()).setStatus(PredictionStatus.CLASSIFIED)
            .setTopK(List.of(ClassScore.newBuilder().setLabel("cat").setClassIndex(281).setScore(0.3f + 0.06f * i).build()))
            .setBatchSize(1).setInferenceMicros(10).setProcessedAt(Instant.now()).build();
        ids.add(p.getEventId());
        producer.send(new ProducerRecord<>(PREDICTIONS, source, AvroSerdes.prediction().serializer().serialize(PREDICTIONS, p)))
            .get();
      }
    }
    return ids;
  }

  /** Event ids of the committed decisions, read as the admin until {@code count} or 5 s of quiet. */
  private static List<UUID> decisions(SecureKafkaTestBroker broker, int count) {
    List<UUID> ids = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(DECISIONS));
      long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (ids.size() < count && System.nanoTime() < quietUntil) {
        for (var r : consumer.poll(Duration.ofMillis(500))) {
          ids.add(AvroSerdes.of(ModerationDecision.class).deserializer().deserialize(DECISIONS, r.value()).getEventId());
          quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        }
      }
    }
    return ids;
  }

  /** The moderation group's committed offsets on the predictions, by partition. */
  private static Map<?, ?> committed(SecureKafkaTestBroker broker) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().entrySet().stream()
          .filter(e -> e.getValue() != null && e.getKey().topic().equals(PREDICTIONS))
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }

  /** Predictions not yet committed by the moderation group. */
  private static long lag(SecureKafkaTestBroker broker) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      Map<?, ?> committed = committed(broker);
      var partitions = admin.describeTopics(List.of(PREDICTIONS)).allTopicNames().get().get(PREDICTIONS).partitions();
      long lag = 0;
      for (var p : partitions) {
        var tp = new org.apache.kafka.common.TopicPartition(PREDICTIONS, p.partition());
        long end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(tp)
            .offset();
        Object at = committed.get(tp);
        lag += end - (at == null ? 0 : (Long) at);
      }
      return lag;
    }
  }

  private static void assertNoSecret(LocalKafkaSecurity security, String... texts) {
    for (String text : texts) {
      for (String secret : security.secrets()) {
        assertThat(text).as("no secret printed").doesNotContain(secret);
      }
    }
  }

  private static Path log(String name) {
    return Path.of("target", "service-" + name + ".log");
  }
}
