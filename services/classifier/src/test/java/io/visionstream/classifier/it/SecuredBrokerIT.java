package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.visionstream.kafka.local.LocalKafkaBroker;
import io.visionstream.kafka.local.LocalKafkaSecurity;
import io.visionstream.kafka.local.LocalKafkaSecurity.Certificate;
import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import io.visionstream.kafka.testkit.SecureKafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged classifier on the secured broker (SASL_SSL, SCRAM, deny-by-default ACLs), with the
 * client configuration file the broker wrote for it: it classifies as its own user, and a wrong
 * password, a user without the ACLs and an expired broker certificate are each named (principal
 * and resource) in the log and in readiness, with nothing committed or dead-lettered, and end in
 * exit code 1. No password appears in any log, configuration dump or health answer.
 */
@WithKafkaBroker
class SecuredBrokerIT {

  private static final String INPUT = "image-events";
  private static final String PREDICTIONS = "predictions";
  private static final String DEAD_LETTERS = "image-events.dlq";
  private static final String GROUP = "visionstream-classifier";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void topics(SecureKafkaTestBroker broker) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      for (NewTopic topic : List.of(new NewTopic(INPUT, 2, (short) 1), new NewTopic(PREDICTIONS, 2, (short) 1),
          new NewTopic(DEAD_LETTERS, 1, (short) 1))) {
        try {
          admin.createTopics(List.of(topic)).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }

  @Test
  void classifiesAsItsOwnUserAndNoPasswordIsPrintedAnywhere(SecureKafkaTestBroker broker) throws Exception {
    int port = freePort();
    Map<String, String> properties = service(broker, port, broker.clientConfigFile(User.CLASSIFIER));
    properties.put("visionstream.classifier.delivery.guarantee", "exactly-once");
    // Kafka's own dump of every client configuration, to check that it hides the secrets too
    properties.put("logger.levels.org.apache.kafka.common.config.AbstractConfig", "INFO");
    // the deployed layout: details and metrics on the management port only
    int management = freePort();
    properties.put("endpoints.all.port", Integer.toString(management));
    Process service = start("secured-classifier", properties);
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> status(management, "/health/readiness") == 200);
      Set<UUID> sent = sendAsLoadTest(broker, 8);
      List<UUID> predicted = Fixtures.read(broker, PREDICTIONS, Integer.MAX_VALUE, Duration.ofSeconds(30), true).stream()
          .map(r -> Fixtures.prediction(r).getEventId()).filter(sent::contains).toList();
      assertThat(predicted).containsExactlyInAnyOrderElementsOf(sent);
      String health = get(management, "/health").body();
      assertThat(health).contains("\"classifier\"");
      assertThat(get(port, "/health").body()).as("anonymous callers get the status only").isEqualTo("{\"status\":\"UP\"}");
      assertThat(status(port, "/prometheus")).as("no metrics on the public port").isEqualTo(404);
      assertThat(status(port, "/health/readiness")).isEqualTo(404);
      service.destroy();
      assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(log("secured-classifier"));
      assertThat(log).contains("ConsumerConfig values").contains("sasl.jaas.config = [hidden]")
          .contains("ssl.truststore.password = [hidden]");
      assertNoSecret(broker.security(), log, health);
    } finally {
      service.destroyForcibly();
    }
  }

  @Test
  void aWrongPasswordIsNamedWhileNotReadyAndEndsInExitOne(SecureKafkaTestBroker broker, @TempDir Path dir) throws Exception {
    Path wrong = dir.resolve("classifier.properties");
    Files.writeString(wrong, Files.readString(broker.clientConfigFile(User.CLASSIFIER))
        .replace(broker.security().password(User.CLASSIFIER), "not-the-password"));
    int port = freePort();
    Map<String, String> properties = service(broker, port, wrong);
    properties.put("visionstream.classifier.delivery.startup-timeout", "15s");
    Process service = start("wrong-password", properties);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> body(port, "/health/readiness")
          .contains("the brokers refused to authenticate User:classifier"));
      assertThat(status(port, "/health/readiness")).isEqualTo(503);
      assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(service.exitValue()).isEqualTo(1);
      String log = Files.readString(log("wrong-password"));
      assertThat(log).contains("refused this classifier: the brokers refused to authenticate User:classifier")
          .contains("Exiting with status 1").doesNotContain("not-the-password");
      assertNoSecret(broker.security(), log, "");
    } finally {
      service.destroyForcibly();
    }
  }

  @Test
  void aUserWithoutTheAclsIsNamedWithTheResourceAndNothingIsCommittedOrDeadLettered(SecureKafkaTestBroker broker)
      throws Exception {
    sendAsLoadTest(broker, 3);
    long deadLettersBefore = Fixtures.read(broker, DEAD_LETTERS, Integer.MAX_VALUE, Duration.ofSeconds(3), false).size();
    Map<?, ?> committedBefore = committed(broker);
    int port = freePort();
    // the load test's user: valid, but may neither read image-events nor join the classifier's group
    Map<String, String> properties = service(broker, port, broker.clientConfigFile(User.LOADTEST));
    properties.put("visionstream.classifier.faults.give-up-after", "20s");
    Process service = start("missing-acl", properties);
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> body(port, "/health/readiness")
          .contains("User:loadtest is not authorized for"));
      String readiness = get(port, "/health/readiness").body();
      assertThat(readiness).contains("RETRYING").containsAnyOf("consumer group " + GROUP, "topic(s) [" + INPUT + "]");
      assertThat(status(port, "/health/readiness")).isEqualTo(503);
      assertThat(service.waitFor(90, TimeUnit.SECONDS)).as("gives up after faults.give-up-after").isTrue();
      assertThat(service.exitValue()).isEqualTo(1);
      String log = Files.readString(log("missing-acl"));
      assertThat(log).contains("System fault in stage").contains("User:loadtest is not authorized for");
      assertThat(committed(broker)).as("nothing committed by the refused user").isEqualTo(committedBefore);
      assertThat(Fixtures.read(broker, DEAD_LETTERS, Integer.MAX_VALUE, Duration.ofSeconds(3), false))
          .as("nothing dead-lettered").hasSize((int) deadLettersBefore);
      assertNoSecret(broker.security(), log, readiness);
    } finally {
      service.destroyForcibly();
    }
  }

  @Test
  void anExpiredBrokerCertificateIsNamedAndEndsInExitOne(@TempDir Path dataDir) throws Exception {
    try (LocalKafkaBroker expired = LocalKafkaBroker.startSecure(dataDir, 0, 0, Map.of(), Certificate.expired())) {
      int port = freePort();
      Map<String, String> properties = new HashMap<>();
      properties.put("visionstream.classifier.model.dir", Fixtures.model().toString());
      properties.put("micronaut.server.port", Integer.toString(port));
      properties.put("visionstream.kafka.bootstrap-servers", expired.bootstrapServers());
      properties.put("visionstream.kafka.client-config", expired.security().clientConfigFile(User.CLASSIFIER).toString());
      properties.put("visionstream.classifier.delivery.startup-timeout", "15s");
      Process service = start("expired-certificate", properties);
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> body(port, "/health/readiness")
            .contains("the TLS handshake with the brokers failed for User:classifier"));
        assertThat(get(port, "/health/readiness").body()).contains("CertificateExpiredException");
        assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(service.exitValue()).isEqualTo(1);
        assertNoSecret(expired.security(), Files.readString(log("expired-certificate")), "");
      } finally {
        service.destroyForcibly();
      }
    }
  }

  @Test
  void noCredentialsGetNoAnswerAndEndInExitOne(SecureKafkaTestBroker broker) throws Exception {
    int port = freePort();
    Map<String, String> properties = new HashMap<>();
    properties.put("visionstream.classifier.model.dir", Fixtures.model().toString());
    properties.put("micronaut.server.port", Integer.toString(port));
    properties.put("visionstream.kafka.bootstrap-servers", broker.bootstrapServers());
    properties.put("visionstream.classifier.delivery.startup-timeout", "10s");
    Process service = start("no-credentials", properties);
    try {
      assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(service.exitValue()).isEqualTo(1);
      assertThat(Files.readString(log("no-credentials"))).contains("no broker at " + broker.bootstrapServers() + " answered")
          .contains("this classifier connects without TLS or SASL");
    } finally {
      service.destroyForcibly();
    }
  }

  /** The classifier group's committed offsets, by partition. */
  private static Map<?, ?> committed(SecureKafkaTestBroker broker) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().entrySet().stream()
          .filter(e -> e.getValue() != null).collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }

  private static Map<String, String> service(SecureKafkaTestBroker broker, int port, Path clientConfig) {
    Map<String, String> properties = new HashMap<>();
    properties.put("visionstream.classifier.model.dir", Fixtures.model().toString());
    properties.put("micronaut.server.port", Integer.toString(port));
    properties.put("visionstream.kafka.bootstrap-servers", broker.bootstrapServers());
    properties.put("visionstream.kafka.client-config", clientConfig.toString());
    properties.put("visionstream.classifier.topics.input", INPUT);
    properties.put("visionstream.classifier.topics.predictions", PREDICTIONS);
    properties.put("visionstream.classifier.topics.dead-letters", DEAD_LETTERS);
    return properties;
  }

  /** Every password and the trust store password of {@code security}: in none of {@code texts}. */
  private static void assertNoSecret(LocalKafkaSecurity security, String... texts) {
    for (String text : texts) {
      for (String secret : security.secrets()) {
        assertThat(text).as("no secret printed").doesNotContain(secret);
      }
    }
  }

  private static Set<UUID> sendAsLoadTest(SecureKafkaTestBroker broker, int count) {
    List<byte[]> images = Fixtures.jpegs(count, 41);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    Set<UUID> ids = new java.util.HashSet<>();
    for (int i = 0; i < count; i++) {
      ImageEvent event = Fixtures.event("secure-camera-" + (i % 2), images.get(i), ContentType.JPEG, Instant.now(), Map.of());
      ids.add(event.getEventId());
      records.add(new ProducerRecord<>(INPUT, event.getSourceId().toString().getBytes(), Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(broker.clientConfig(User.LOADTEST,
        Map.of(ProducerConfig.ACKS_CONFIG, "all")), new ByteArraySerializer(), new ByteArraySerializer())) {
      Fixtures.send(producer, records);
    }
    return ids;
  }

  private static Process start(String name, Map<String, String> properties) throws IOException {
    return new ProcessBuilder(Fixtures.serviceCommand("512m", properties)).redirectErrorStream(true)
        .redirectOutput(log(name).toFile()).start();
  }

  private static Path log(String name) {
    return Path.of("target", "service-" + name + ".log");
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The body {@code path} answers with, empty while nothing listens yet. */
  private String body(int port, String path) throws InterruptedException {
    try {
      return get(port, path).body();
    } catch (IOException e) {
      return "";
    }
  }

  private int status(int port, String path) {
    try {
      return get(port, path).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
