package io.visionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.train.FashionMnistModel;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.serde.AvroSerdes;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The services run with the settings each Kubernetes overlay gives them (ConfigMaps, Secret,
 * variables, JVM options), on the real broker: they start (a setting they do not know stops them
 * with exit code 2), answer on the manifests' probe paths and scrape path, classify and judge
 * uploads, stop in order within the pods' termination grace period, and export every metric the Grafana
 * dashboard reads.
 *
 * <p>What is changed from the manifests, and only that: the bootstrap servers (this test's
 * broker), the security protocol (PLAINTEXT: the test broker has no SASL listener), the address
 * (127.0.0.1 on a free port, never the wildcard), the model (the Fashion-MNIST export), the state
 * directory and the replication factor of internal topics (one broker). Each of those keys must
 * be in the manifest, so that what is overridden is a setting the manifest really makes.
 */
@WithKafkaBroker
class ManifestsAgainstServicesIT {

  private static final String CLASSIFIER_MAIN = "io.visionstream.classifier.ClassifierApplication";
  private static final String MODERATION_MAIN = "io.visionstream.moderation.ModerationApplication";
  private static Path model;

  @TempDir
  static Path work;

  @BeforeAll
  static void exportModel() throws IOException {
    model = FashionMnistModel.ensure(work.resolve("fashion-mnist"), System.out::println);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void servicesRunWithTheOverlaysSettingsAnswerTheProbesAndStopInTheGracePeriod(String overlay, KafkaTestBroker broker)
      throws Exception {
    Rendered rendered = Rendered.overlay(overlay);
    createTopics(broker, Topics.of(rendered));
    Path logs = work.resolve(overlay);
    try (ServiceJvm classifier = ServiceJvm.start("visionstream.it.classifier-target", CLASSIFIER_MAIN,
            classifierEnvironment(rendered, broker), logs.resolve("classifier.log"));
        ServiceJvm moderation = ServiceJvm.start("visionstream.it.moderation-target", MODERATION_MAIN,
            moderationEnvironment(rendered, broker, logs), logs.resolve("moderation.log"))) {
      for (var service : Map.of(K8sManifestsTest.CLASSIFIER, classifier, K8sManifestsTest.MODERATION, moderation).entrySet()) {
        JsonNode container = rendered.container(service.getKey());
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
          String path = container.path(probe).path("httpGet").path("path").asText();
          await(service.getKey() + " " + probe + " " + path).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
              .until(() -> service.getValue().status(path) == 200);
        }
        String scrape = rendered.get("Deployment", service.getKey()).at("/spec/template/metadata/annotations")
            .path("prometheus.io/path").asText();
        assertThat(service.getValue().get(scrape).body()).contains("# TYPE");
      }

      Map<String, String> env = rendered.environment(rendered.container(K8sManifestsTest.CLASSIFIER), "127.0.0.1");
      Set<UUID> sent = send(broker, env.get("VISIONSTREAM_CLASSIFIER_TOPICS_INPUT"), 12);
      Map<String, String> moderationEnv = rendered.environment(rendered.container(K8sManifestsTest.MODERATION), "127.0.0.1");
      assertThat(eventIdsIn(broker, env.get("VISIONSTREAM_CLASSIFIER_TOPICS_PREDICTIONS"), sent))
          .as("predictions of the events sent").containsAll(sent);
      assertThat(eventIdsIn(broker, moderationEnv.get("VISIONSTREAM_MODERATION_DECISIONS"), sent))
          .as("decisions on the events sent").containsAll(sent);

      for (var service : List.of(Map.entry(K8sManifestsTest.CLASSIFIER, classifier),
          Map.entry(K8sManifestsTest.MODERATION, moderation))) {
        int grace = rendered.podSpec(service.getKey()).path("terminationGracePeriodSeconds").asInt(30);
        assertThat(service.getValue().terminate(Duration.ofSeconds(grace)))
            .as("%s stops on SIGTERM within the pod's %d s grace period (exit code 128 + SIGTERM)", service.getKey(), grace)
            .isEqualTo(143);
      }
      assertThat(classifier.tail()).contains("Classifier pipeline CLOSED");
    }
  }

  @Test
  void everyMetricTheDashboardReadsIsExportedByTheRunningServices(KafkaTestBroker broker) throws Exception {
    Rendered rendered = Rendered.overlay("cpu");
    createTopics(broker, Topics.of(rendered));
    Set<String> wanted = new TreeSet<>();
    for (JsonNode panel : Rendered.YAML.readTree(Rendered.deployDir().resolve("dashboards/visionstream.json").toFile())
        .path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        wanted.addAll(PromQl.metricNames(target.path("expr").asText()));
      }
    }
    assertThat(wanted).hasSizeGreaterThan(10);
    Path logs = work.resolve("metrics");
    try (ServiceJvm classifier = ServiceJvm.start("visionstream.it.classifier-target", CLASSIFIER_MAIN,
            classifierEnvironment(rendered, broker), logs.resolve("classifier.log"));
        ServiceJvm moderation = ServiceJvm.start("visionstream.it.moderation-target", MODERATION_MAIN,
            moderationEnvironment(rendered, broker, logs), logs.resolve("moderation.log"))) {
      await().atMost(Duration.ofSeconds(120)).until(() -> classifier.status("/health/readiness") == 200
          && moderation.status("/health/readiness") == 200);
      Map<String, String> env = rendered.environment(rendered.container(K8sManifestsTest.CLASSIFIER), "127.0.0.1");
      send(broker, env.get("VISIONSTREAM_CLASSIFIER_TOPICS_INPUT"), 8);
      // Kafka's per-partition metrics reach Micrometer within a minute of an assignment.
      Set<String> exported = new HashSet<>();
      await("the dashboard's metrics on /prometheus").atMost(Duration.ofSeconds(100)).pollInterval(Duration.ofSeconds(5))
          .untilAsserted(() -> {
            exported.clear();
            exported.addAll(metricNames(classifier.get("/prometheus").body()));
            exported.addAll(metricNames(moderation.get("/prometheus").body()));
            assertThat(exported).containsAll(wanted);
          });
    }
  }

  private static Map<String, String> classifierEnvironment(Rendered rendered, KafkaTestBroker broker) throws IOException {
    Map<String, String> env = rendered.environment(rendered.container(K8sManifestsTest.CLASSIFIER), "127.0.0.1");
    override(env, "VISIONSTREAM_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    override(env, "VISIONSTREAM_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "PLAINTEXT");
    override(env, "VISIONSTREAM_CLASSIFIER_MODEL_DIR", model.toString());
    override(env, "MICRONAUT_SERVER_HOST", "127.0.0.1");
    override(env, "MICRONAUT_SERVER_PORT", String.valueOf(freePort()));
    override(env, "ENDPOINTS_ALL_PORT", String.valueOf(freePort()));
    return env;
  }

  private static Map<String, String> moderationEnvironment(Rendered rendered, KafkaTestBroker broker, Path logs)
      throws IOException {
    Map<String, String> env = rendered.environment(rendered.container(K8sManifestsTest.MODERATION), "127.0.0.1");
    String port = String.valueOf(freePort());
    override(env, "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    override(env, "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
    override(env, "VISIONSTREAM_STREAMS_STATE_DIR", Files.createDirectories(logs.resolve("state")).toString());
    override(env, "KAFKA_STREAMS_DEFAULT_REPLICATION_FACTOR", "1");
    override(env, "KAFKA_STREAMS_TAGGING_REPLICATION_FACTOR", "1");
    override(env, "MICRONAUT_SERVER_HOST", "127.0.0.1");
    override(env, "MICRONAUT_SERVER_PORT", port);
    override(env, "ENDPOINTS_ALL_PORT", String.valueOf(freePort()));
    override(env, "KAFKA_STREAMS_TAGGING_APPLICATION_SERVER", "127.0.0.1:" + port);
    return env;
  }

  private static void override(Map<String, String> env, String name, String value) {
    assertThat(env).as("the manifest sets %s", name).containsKey(name);
    env.put(name, value);
  }

  private static void createTopics(KafkaTestBroker broker, Topics topics) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      Set<String> existing = admin.listTopics().names().get();
      topics.partitionsByName().forEach((name, partitions) -> {
        if (!existing.contains(name)) {
          broker.createTopic(name, partitions);
        }
      });
    }
  }

  /** {@code count} Fashion-MNIST-sized grey PNG uploads, keyed by source; their event ids. */
  private static Set<UUID> send(KafkaTestBroker broker, String topic, int count) throws IOException {
    Set<UUID> ids = new HashSet<>();
    try (var producer = new KafkaProducer<>(broker.clientConfig(Map.of()), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
          for (int x = 0; x < 28; x++) {
            image.getRaster().setSample(x, y, 0, (x * 9 + y * (i + 1)) % 256);
          }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        ImageEvent event = ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId("upload-" + (i % 3))
            .setCapturedAt(Instant.now()).setContentType(ContentType.PNG).setImage(ByteBuffer.wrap(png.toByteArray()))
            .setAttributes(Map.of()).build();
        ids.add(event.getEventId());
        producer.send(new ProducerRecord<>(topic, event.getSourceId(), AvroSerdes.imageEvent().serializer()
            .serialize(topic, event)));
      }
    }
    return ids;
  }

  /** Which of {@code wanted} appear as event ids (Avro strings) in records read committed from {@code topic}. */
  private static Set<UUID> eventIdsIn(KafkaTestBroker broker, String topic, Set<UUID> wanted) {
    Set<UUID> seen = new HashSet<>();
    Map<String, Object> config = new LinkedHashMap<>(broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, "manifests-it-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")));
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!seen.containsAll(wanted) && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          String text = new String(record.value(), java.nio.charset.StandardCharsets.ISO_8859_1);
          for (UUID id : wanted) {
            if (text.contains(id.toString())) {
              seen.add(id);
            }
          }
        }
      }
    }
    return seen;
  }

  /** Sample names in a Prometheus text exposition. */
  private static Set<String> metricNames(String exposition) {
    Set<String> names = new HashSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
          end++;
        }
        names.add(line.substring(0, end));
      }
    }
    return names;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
