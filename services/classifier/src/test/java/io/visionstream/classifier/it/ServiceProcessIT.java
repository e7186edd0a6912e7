package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service in its own JVM with no broker to talk to: start-up waits, says so, and
 * exits non-zero naming the bootstrap servers; SIGTERM while it waits stops it within the shutdown
 * timeout without starting anything; an invalid setting exits with 2 before anything starts.
 */
class ServiceProcessIT {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Process start(String name, Map<String, String> overrides) throws IOException {
    Map<String, String> properties = new HashMap<>();
    properties.put("visionstream.classifier.model.dir", Fixtures.model().toString());
    properties.put("visionstream.classifier.delivery.guarantee", "exactly-once");
    properties.putAll(overrides);
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

  private int readinessStatus(int port) {
    try {
      return get(port, "/health/readiness").statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  @Test
  void unreachableBrokersAtStartMakeItNotReadyThenExitNonZeroNamingThem() throws Exception {
    int port = freePort();
    String nobody = "127.0.0.1:" + freePort();
    Process service = start("no-brokers", Map.of("micronaut.server.port", Integer.toString(port),
        "visionstream.kafka.bootstrap-servers", nobody, "visionstream.classifier.delivery.startup-timeout", "15s"));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> readinessStatus(port) == 503);
      assertThat(get(port, "/health/readiness").body()).contains("\"state\":\"STARTING\"");
      assertThat(get(port, "/health/liveness").statusCode()).isEqualTo(200);
      assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("exits after the start-up timeout").isTrue();
      assertThat(service.exitValue()).isEqualTo(1);
      String log = Files.readString(log("no-brokers"));
      assertThat(log).contains("no broker at " + nobody + " answered within 15 s")
          .contains("Waiting for the brokers at " + nobody)
          .contains("Exiting with status 1");
      assertThat(log.lines().count()).as("a few lines, not a warning per reconnect").isLessThan(60);
      assertThat(log).doesNotContain("Classifier reading");
    } finally {
      service.destroyForcibly();
    }
  }

  @Test
  void sigtermWhileWaitingForTheBrokersStopsWithinTheShutdownTimeoutAndStartsNothing() throws Exception {
    int port = freePort();
    Process service = start("sigterm-starting", Map.of("micronaut.server.port", Integer.toString(port),
        "visionstream.kafka.bootstrap-servers", "127.0.0.1:" + freePort(),
        "visionstream.classifier.delivery.shutdown-timeout", "5s"));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> readinessStatus(port) == 503);
      long stopping = System.nanoTime();
      service.destroy();
      assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(10));
      String log = Files.readString(log("sigterm-starting"));
      assertThat(log).doesNotContain("Classifier reading").doesNotContain("Exiting with status");
      assertThat(log).containsOnlyOnce("Classifier pipeline CLOSED");
    } finally {
      service.destroyForcibly();
    }
  }

  @Test
  void everyValueThatDoesNotParseAndEveryUnknownKeyStopsStartUpWithExitTwoNamingEachAndNoStackTrace() throws Exception {
    Map<String, String> bad = new HashMap<>();
    bad.put("micronaut.server.port", "-1");
    bad.put("visionstream.classifier.load.policy", "drop-everything");
    bad.put("visionstream.classifier.batching.max-batch-size", "abc");
    bad.put("visionstream.classifier.batching.max-batch-wait", "fast");
    bad.put("visionstream.classifier.backpressure.max-in-flight-bytes", "256MiB");
    bad.put("visionstream.classifier.bacthing.decode-threads", "2");
    Map<String, String> properties = new HashMap<>();
    properties.put("visionstream.classifier.model.dir", Fixtures.model().toString());
    properties.putAll(bad);
    ProcessBuilder builder = new ProcessBuilder(Fixtures.serviceCommand("512m", properties)).redirectErrorStream(true)
        .redirectOutput(log("strict").toFile());
    builder.environment().put("VISIONSTREAM_CLASSIFIER_DELIVERY_GUARANTEE", "exactly-twice");
    Process service = builder.start();
    assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(service.exitValue()).isEqualTo(2);
    String log = Files.readString(log("strict"));
    assertThat(log).contains("invalid configuration (6 problems), nothing started")
        .contains("visionstream.classifier.delivery.guarantee = exactly-twice (environment variable "
            + "VISIONSTREAM_CLASSIFIER_DELIVERY_GUARANTEE)\n    allowed: at-least-once, exactly-once")
        .contains("visionstream.classifier.load.policy = drop-everything (system property)\n    allowed: never-drop, drop-stale")
        .contains("visionstream.classifier.batching.max-batch-size = abc").contains("allowed: a whole number")
        .contains("visionstream.classifier.batching.max-batch-wait = fast").contains("a duration such as 500ms")
        .contains("visionstream.classifier.backpressure.max-in-flight-bytes = 256MiB").contains("a whole number of bytes")
        .contains("did you mean visionstream.classifier.batching.decode-threads?")
        .doesNotContain("\tat ").doesNotContain("TensorFlow");
  }

  @Test
  void helpAndAnUnknownOptionAnswerWithoutStartingAnything() throws Exception {
    Process help = new ProcessBuilder(withArgument(Fixtures.serviceCommand("256m", Map.of()), "--help"))
        .redirectErrorStream(true).redirectOutput(log("help").toFile()).start();
    assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(help.exitValue()).isZero();
    assertThat(Files.readString(log("help"))).startsWith("Usage: deploy/local/classifier [--help]")
        .contains("visionstream.classifier.model.dir");
    Process bogus = new ProcessBuilder(withArgument(Fixtures.serviceCommand("256m", Map.of()), "--bogus"))
        .redirectErrorStream(true).redirectOutput(log("bogus").toFile()).start();
    assertThat(bogus.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bogus.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log("bogus"))).startsWith("unknown option: --bogus");
  }

  private static java.util.List<String> withArgument(java.util.List<String> command, String argument) {
    java.util.List<String> all = new java.util.ArrayList<>(command);
    all.add(argument);
    return all;
  }

  @Test
  void anInvalidSettingExitsWithTwoBeforeAnythingStarts() throws Exception {
    Process service = start("invalid", Map.of("micronaut.server.port", "-1",
        "visionstream.classifier.batching.max-batch-size", "0"));
    assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(service.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log("invalid"))).contains("visionstream.classifier.batching.max-batch-size must be positive (got 0)");
  }
}
