package io.visionstream.kafka.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) listening on
 * 127.0.0.1 only. Storage lives in a data directory: formatted on first start, reused after
 * (even with another client port), so a broker stopped and started on the same directory keeps
 * its topics and offsets.
 *
 * <p>Used in-process by the test kit, and as its own JVM by {@link LocalKafkaCommand} for the demo
 * and the load test. {@link #close()} stops the broker and is idempotent.
 */
public final class LocalKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalKafkaBroker.class);

  /** Written into the data directory; the standalone broker's configuration, readable by users. */
  public static final String PROPERTIES_FILE = "server.properties";
  /** How long {@link #start} waits for the broker to answer a metadata request. */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;
  private boolean closed;

  private LocalKafkaBroker(Path dataDir, int port, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
  }

  /**
   * Formats {@code dataDir} if it is new and starts the broker; returns once it serves clients.
   *
   * @param port client port on 127.0.0.1, or 0 for a free one
   * @param controllerPort KRaft controller port, or 0 to reuse the one the data directory was last started with, or a free one
   * @param overrides broker properties that replace the defaults (see {@link #defaults})
   */
  public static LocalKafkaBroker start(Path dataDir, int port, int controllerPort, Map<String, String> overrides) {
    try {
      Files.createDirectories(dataDir);
      Path propertiesFile = dataDir.resolve(PROPERTIES_FILE);
      int clientPort = port == 0 ? freePort() : port;
      int quorumPort = controllerPort != 0 ? controllerPort : previousControllerPort(propertiesFile);
      quorumPort = quorumPort != 0 ? quorumPort : freePort();
      Properties props = defaults(dataDir, clientPort, quorumPort);
      props.putAll(overrides);
      try (OutputStream out = Files.newOutputStream(propertiesFile)) {
        props.store(out, "visionstream local Kafka broker; rewritten at every start");
      }
      if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
        format(propertiesFile);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException e) {
        server.shutdown();
        server.awaitShutdown();
        throw new IllegalStateException("Kafka broker on 127.0.0.1:" + clientPort + " (controller " + quorumPort
            + ") failed to start: " + e.getMessage(), e);
      }
      LocalKafkaBroker broker = new LocalKafkaBroker(dataDir, clientPort, server);
      broker.awaitReady();
      log.info("Kafka broker ready at {} (data in {})", broker.bootstrapServers(), dataDir);
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data directory " + dataDir, e);
    }
  }

  /**
   * The largest record batch the local broker accepts (and the topics it creates inherit): above
   * the classifier's default {@code limits.max-record-bytes} of 8 MiB, so that a record the
   * classifier would take is never refused by the broker first. Kafka's own default is ~1 MiB.
   */
  public static final int MESSAGE_MAX_BYTES = 10 << 20;

  /**
   * The broker configuration visionstream runs locally: one node, every internal topic with
   * replication factor 1, listeners on 127.0.0.1, no initial rebalance delay, records up to
   * {@link #MESSAGE_MAX_BYTES}.
   */
  static Properties defaults(Path dataDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dataDir.resolve("logs").toAbsolutePath().toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "10");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "10");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("message.max.bytes", Integer.toString(MESSAGE_MAX_BYTES));
    p.setProperty("replica.fetch.max.bytes", Integer.toString(MESSAGE_MAX_BYTES));
    return p;
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Stops the broker and waits for it; the data directory is kept. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    log.info("Kafka broker at {} stopped", bootstrapServers());
  }

  private void awaitReady() {
    Properties props = new Properties();
    props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while waiting for the Kafka broker at " + bootstrapServers(), e);
    } catch (ExecutionException | TimeoutException e) {
      close();
      throw new IllegalStateException("Kafka broker at " + bootstrapServers() + " did not answer within "
          + READY_TIMEOUT.toSeconds() + " s", e);
    }
  }

  /** Runs {@code kafka-storage format} on a new data directory. */
  private static void format(Path propertiesFile) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String[] args = {"format", "--cluster-id", Uuid.randomUuid().toString(), "--config", propertiesFile.toString()};
    int exit;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exit = StorageTool.execute(args, out);
    }
    String text = output.toString(StandardCharsets.UTF_8).strip();
    if (exit != 0) {
      throw new IllegalStateException("formatting Kafka storage with " + propertiesFile + " failed: " + text);
    }
    log.debug("kafka-storage format: {}", text);
  }

  private static int previousControllerPort(Path propertiesFile) throws IOException {
    if (!Files.exists(propertiesFile)) {
      return 0;
    }
    Properties previous = new Properties();
    try (var in = Files.newInputStream(propertiesFile)) {
      previous.load(in);
    }
    String voters = previous.getProperty("controller.quorum.voters", "");
    return voters.isEmpty() ? 0 : Integer.parseInt(voters.substring(voters.lastIndexOf(':') + 1));
  }

  /** A port that was free on 127.0.0.1 a moment ago. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
