package io.visionstream.demo;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.ThresholdRule;
import io.visionstream.schemas.policy.PolicyProblem;
import io.visionstream.schemas.policy.PolicyValidator;
import io.visionstream.schemas.serde.AvroSerdes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The moderation and tagging service, run by the demo as its own JVM (it is a separate Micronaut
 * application) from the classpath deploy/local/demo passes in
 * {@value #CLASSPATH_PROPERTY}. The demo publishes a default policy first.
 */
final class ModerationSidecar implements AutoCloseable {

  static final String CLASSPATH_PROPERTY = "visionstream.demo.moderation-classpath";

  /** Topics the moderation service reads and writes, name:partitions. */
  static final List<String> TOPICS = List.of("moderation-policies:1", "moderation-decisions:4", "moderation-review:1",
      "moderation.dlq:1", "tagging.dlq:1", "camera-tags:4");

  /** The demo's default policy: any class scoring 0.5 or more goes to review, 0.9 or more is blocked. */
  static final ModerationPolicy DEFAULT_POLICY = ModerationPolicy.newBuilder().setVersion(1)
      .setAnyClass(ThresholdRule.newBuilder().setReviewAt(0.5f).setBlockAt(0.9f).build()).build();

  /**
   * The Fashion-MNIST demo's policy, for a clothing marketplace that sells no bags: a "Bag" scoring 0.5
   * or more goes to review, 0.9 or more is blocked; everything else is allowed.
   */
  static final ModerationPolicy NO_BAGS_POLICY = ModerationPolicy.newBuilder().setVersion(1)
      .setRules(List.of(ThresholdRule.newBuilder().setLabel("Bag").setReviewAt(0.5f).setBlockAt(0.9f).build())).build();

  private final Process process;
  private final String url;

  private ModerationSidecar(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /** The classpath to run it from, or null when the demo was started without one. */
  static String classpath() {
    String cp = System.getProperty(CLASSPATH_PROPERTY);
    return cp == null || cp.isBlank() ? null : cp;
  }

  /**
   * @param admin the client configuration the demo's operator writes the policy with
   * @param clientConfigFile the service's own Kafka client configuration file (its login), or null
   */
  static ModerationSidecar start(String classpath, Map<String, Object> admin, Path clientConfigFile, Path workDir,
      ModerationPolicy policy) throws IOException, InterruptedException {
    String bootstrapServers = admin.get("bootstrap.servers").toString();
    List<PolicyProblem> problems = PolicyValidator.problems("__default__", policy);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("the demo's moderation policy is invalid: " + problems);
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(admin,
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>("moderation-policies", "__default__",
          AvroSerdes.of(ModerationPolicy.class).serializer().serialize("moderation-policies", policy)));
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Files.createDirectories(workDir);
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", classpath, "-Dkafka.bootstrap.servers=" + bootstrapServers, "-Dmicronaut.server.port=" + port,
        // one port for the tag queries and the management endpoints, on loopback
        "-Dendpoints.all.port=" + port,
        "-Dvisionstream.streams.state-dir=" + workDir.resolve("streams").toAbsolutePath(),
        "-Dvisionstream.tagging.window-size=10s", "-Dvisionstream.tagging.grace=5s", "-Dvisionstream.tagging.min-score=0"));
    if (clientConfigFile != null) {
      command.add("-Dvisionstream.kafka.client-config=" + clientConfigFile.toAbsolutePath());
    }
    command.add("io.visionstream.moderation.ModerationApplication");
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(workDir.resolve("moderation.log").toFile()).start();
    ModerationSidecar sidecar = new ModerationSidecar(process, "http://127.0.0.1:" + port);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the moderation service exited during start-up; see " + workDir.resolve("moderation.log"));
      }
      try {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(sidecar.url + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return sidecar;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    sidecar.close();
    throw new IllegalStateException("the moderation service was not healthy within 90 s; see " + workDir.resolve("moderation.log"));
  }

  String url() {
    return url;
  }

  /** {@code GET /tags/{source}}, as the service answers it. */
  /** The service's answer for {@code source}'s latest tag windows, or why there was none (the demo only shows it). */
  String tags(String source) throws InterruptedException {
    URI uri = URI.create(url + "/tags/" + source + "?limit=3");
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "(no answer from " + uri + " within 30 s: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
