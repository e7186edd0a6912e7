package io.visionstream.deploy;

import java.io.File;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service run the way its container runs it: {@code java $JAVA_OPTS -cp ... MAIN} with exactly
 * the environment a deployment gives it (nothing of this JVM's visionstream, Kafka or Micronaut
 * variables leaks in), from its module's {@code target/classes} and runtime dependencies.
 */
final class ServiceJvm implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServiceJvm(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code mainClass} of the module whose target directory system property
   * {@code targetProperty} names, with environment {@code env} (its ENDPOINTS_ALL_PORT, else its
   * MICRONAUT_SERVER_PORT, is the HTTP port this reads: the management endpoints'), logging to {@code log}.
   */
  static ServiceJvm start(String targetProperty, String mainClass, Map<String, String> env, Path log) throws IOException {
    String target = System.getProperty(targetProperty);
    Path dependencies = target == null ? null : Path.of(target, "classpath.txt");
    if (dependencies == null || !Files.isRegularFile(dependencies)) {
      throw new IllegalStateException("system property " + targetProperty + " does not name a packaged module's target "
          + "directory (" + target + "): run this test with Maven (./mvnw verify), which packages the services first");
    }
    String classpath = Path.of(target, "classes") + File.pathSeparator + Files.readString(dependencies).strip();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    String javaOpts = env.getOrDefault("JAVA_OPTS", "").strip();
    if (!javaOpts.isEmpty()) {
      command.addAll(Arrays.asList(javaOpts.split("\\s+")));
    }
    command.addAll(List.of("-cp", classpath, mainClass));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("VISIONSTREAM_") || name.startsWith("KAFKA_")
        || name.startsWith("MICRONAUT_") || name.equals("JAVA_OPTS"));
    builder.environment().putAll(env);
    Files.createDirectories(log.getParent());
    return new ServiceJvm(builder.start(), Integer.parseInt(env.getOrDefault("ENDPOINTS_ALL_PORT",
        env.get("MICRONAUT_SERVER_PORT"))), log);
  }

  /** GET {@code path} on the service's HTTP port. */
  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException("the service exited with " + process.exitValue() + "; its log: " + log + "\n"
          + tail());
    }
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status {@code path} answers with, or -1 while nothing listens yet. */
  int status(String path) throws InterruptedException {
    try {
      return get(path).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Sends SIGTERM and waits up to {@code timeout}; the exit code, or -1 if the process still runs. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
