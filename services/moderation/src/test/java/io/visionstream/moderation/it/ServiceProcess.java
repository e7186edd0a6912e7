package io.visionstream.moderation.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A visionstream service run as its own JVM, as it is deployed: from its module's classes and
 * runtime dependencies ({@code target/classes}, {@code target/classpath.txt}) in the target
 * directory a system property Maven sets names, configured by system properties, logging to a file.
 */
final class ServiceProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String url;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServiceProcess(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /**
   * Starts {@code mainClass} of the module whose target directory system property {@code targetProperty}
   * names; the HTTP port is {@code micronaut.server.port} of {@code properties}.
   */
  static ServiceProcess start(String targetProperty, String mainClass, Map<String, String> properties, Path log) {
    List<String> command = command(targetProperty, mainClass, properties);
    try {
      Files.createDirectories(log.getParent());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new ServiceProcess(process, "http://127.0.0.1:" + properties.get("micronaut.server.port"), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The java command line that runs {@code mainClass} of the module in {@code targetProperty}'s directory. */
  static List<String> command(String targetProperty, String mainClass, Map<String, String> properties) {
    String target = System.getProperty(targetProperty);
    Path dependencies = target == null ? null : Path.of(target, "classpath.txt");
    if (dependencies == null || !Files.isRegularFile(dependencies)) {
      throw new IllegalStateException("system property " + targetProperty + " does not name a packaged module's target "
          + "directory (" + target + "): run this test with Maven (./mvnw verify), which packages the services first");
    }
    String classpath;
    try {
      classpath = Path.of(target, "classes") + java.io.File.pathSeparator + Files.readString(dependencies).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", classpath));
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    if (properties.containsKey("micronaut.server.port") && !properties.containsKey("endpoints.all.port")) {
      // the management endpoints on the same port: the tests read /health and /prometheus there
      command.add("-Dendpoints.all.port=" + properties.get("micronaut.server.port"));
    }
    command.add(mainClass);
    return command;
  }

  /** Waits until {@code /health} answers 200; fails with the log's path if the process exits first. */
  ServiceProcess awaitHealthy(Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited with " + process.exitValue() + "; see " + log);
      }
      try {
        return get("/health").statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
    return this;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code /health} as JSON. */
  JsonNode health() throws IOException, InterruptedException {
    return JSON.readTree(get("/health").body());
  }

  /** Waits for the process to end by itself and returns its exit code; fails if it runs on past {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the service still runs after " + timeout + "; see " + log);
    }
    return process.exitValue();
  }

  /** Ends the process at once (SIGKILL): no shutdown hook, no commit, no clean close. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
