package io.visionstream.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link LocalKafkaCommand} started as its own JVM from this JVM's classpath, as the demo and the
 * load test run the broker. {@link #close()} stops it with SIGTERM (waiting for a clean shutdown)
 * and is idempotent.
 */
public final class LocalKafkaProcess implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final String bootstrapServers;
  private final Path dataDir;
  private final LocalKafkaSecurity security;

  private LocalKafkaProcess(Process process, String bootstrapServers, Path dataDir, LocalKafkaSecurity security) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
    this.security = security;
  }

  /**
   * Starts a broker with its data in {@code dataDir} and waits until it serves clients.
   *
   * @param port client port on 127.0.0.1, 0 for a free one
   * @param topics {@code name:partitions} to create if missing
   */
  public static LocalKafkaProcess start(Path dataDir, int port, List<String> topics) {
    return start(dataDir, port, topics, false);
  }

  /**
   * As {@link #start(Path, int, List)}, with {@code secure} the broker's {@code --secure} listener
   * (SASL_SSL, one SCRAM user per component, deny-by-default ACLs): {@link #clientConfig} then
   * logs in as the user asked for.
   */
  public static LocalKafkaProcess start(Path dataDir, int port, List<String> topics, boolean secure) {
    try {
      Files.createDirectories(dataDir);
      Path bootstrapFile = dataDir.resolve(LocalKafkaCommand.BOOTSTRAP_FILE);
      Files.deleteIfExists(bootstrapFile);
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-cp", System.getProperty("java.class.path"), LocalKafkaCommand.class.getName(),
          "--data-dir", dataDir.toAbsolutePath().toString(), "--port", Integer.toString(port)));
      topics.forEach(t -> command.addAll(List.of("--topic", t)));
      if (secure) {
        command.add("--secure");
      }
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dataDir.resolve("broker.out").toFile()).start();
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      while (!Files.exists(bootstrapFile)) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the Kafka broker exited during start-up: "
              + Files.readString(dataDir.resolve("broker.out")).strip());
        }
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IllegalStateException("the Kafka broker did not start within " + READY_TIMEOUT.toSeconds()
              + " s; see " + dataDir.resolve("broker.log"));
        }
        Thread.sleep(100);
      }
      // the broker wrote its users' credentials before the bootstrap file: this reads them
      LocalKafkaSecurity security = secure ? LocalKafkaSecurity.load(dataDir) : null;
      return new LocalKafkaProcess(process, Files.readString(bootstrapFile).strip(), dataDir, security);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Kafka broker in " + dataDir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the Kafka broker", e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Whether the broker listens with SASL_SSL and ACLs. */
  public boolean secure() {
    return security != null;
  }

  /** The users' credentials and client configuration files (secure brokers only). */
  public LocalKafkaSecurity security() {
    if (security == null) {
      throw new IllegalStateException("the broker in " + dataDir + " was not started with --secure");
    }
    return security;
  }

  /** A client configuration: the bootstrap servers and, on a secure broker, {@code user}'s login. */
  public Map<String, Object> clientConfig(User user) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    if (security != null) {
      config.putAll(security.clientConfig(user));
    }
    return config;
  }

  /** SIGTERM, then up to 30 s for the broker to shut down cleanly, then SIGKILL. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
