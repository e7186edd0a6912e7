package io.visionstream.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private LocalKafkaProcess(Process process, String bootstrapServers, Path dataDir) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
  }

  /**
   * Starts a broker with its data in {@code dataDir} and waits until it serves clients.
   *
   * @param port client port on 127.0.0.1, 0 for a free one
   * @param topics {@code name:partitions} to create if missing
   */
  public static LocalKafkaProcess start(Path dataDir, int port, List<String> topics) {
    try {
      Files.createDirectories(dataDir);
      Path bootstrapFile = dataDir.resolve(LocalKafkaCommand.BOOTSTRAP_FILE);
      Files.deleteIfExists(bootstrapFile);
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-cp", System.getProperty("java.class.path"), LocalKafkaCommand.class.getName(),
          "--data-dir", dataDir.toAbsolutePath().toString(), "--port", Integer.toString(port)));
      topics.forEach(t -> command.addAll(List.of("--topic", t)));
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
      return new LocalKafkaProcess(process, Files.readString(bootstrapFile).strip(), dataDir);
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
