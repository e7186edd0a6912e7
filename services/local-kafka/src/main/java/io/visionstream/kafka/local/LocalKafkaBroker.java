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
import java.util.ArrayList;
import java.util.List;
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

  /** Written into the data directory at format: whether it was made with security. */
  private static final String SECURITY_MODE_FILE = "security.mode";
  private static final String PLAINTEXT = "plaintext";
  private static final String SECURE = "sasl_ssl";

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;
  private final LocalKafkaSecurity security;
  private boolean closed;

  private LocalKafkaBroker(Path dataDir, int port, KafkaRaftServer server, LocalKafkaSecurity security) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
    this.security = security;
  }

  /**
   * Formats {@code dataDir} if it is new and starts the broker without security (PLAINTEXT);
   * returns once it serves clients.
   *
   * @param port client port on 127.0.0.1, or 0 for a free one
   * @param controllerPort KRaft controller port, or 0 to reuse the one the data directory was last started with, or a free one
   * @param overrides broker properties that replace the defaults (see {@link #defaults})
   */
  public static LocalKafkaBroker start(Path dataDir, int port, int controllerPort, Map<String, String> overrides) {
    return start(dataDir, port, controllerPort, overrides, null);
  }

  /**
   * Like {@link #start(Path, int, int, Map)}, secured: a SASL_SSL client listener, SCRAM users,
   * deny-by-default ACLs ({@link LocalKafkaSecurity}, {@link LocalKafkaAcls}); the credentials,
   * certificate and client configurations are in {@link #security()}'s directory.
   */
  public static LocalKafkaBroker startSecure(Path dataDir, int port, int controllerPort, Map<String, String> overrides,
      LocalKafkaSecurity.Certificate certificate) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
    }
    return start(dataDir, port, controllerPort, overrides, LocalKafkaSecurity.prepare(dataDir, certificate));
  }

  private static LocalKafkaBroker start(Path dataDir, int port, int controllerPort, Map<String, String> overrides,
      LocalKafkaSecurity security) {
    try {
      Files.createDirectories(dataDir);
      Path propertiesFile = dataDir.resolve(PROPERTIES_FILE);
      int clientPort = port == 0 ? freePort() : port;
      int quorumPort = controllerPort != 0 ? controllerPort : previousControllerPort(propertiesFile);
      quorumPort = quorumPort != 0 ? quorumPort : freePort();
      int internalPort = security == null ? 0 : freePort();
      Properties props = defaults(dataDir, clientPort, quorumPort);
      if (security != null) {
        props.putAll(security.brokerProperties(clientPort, internalPort, quorumPort));
      }
      props.putAll(overrides);
      checkSecurityMode(dataDir, security != null);
      try (OutputStream out = Files.newOutputStream(propertiesFile)) {
        props.store(out, "visionstream local Kafka broker; rewritten at every start");
      }
      if (security != null) {
        restrictToOwner(propertiesFile);
      }
      if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
        format(propertiesFile, security == null ? List.of() : security.scramFormatArguments());
        Files.writeString(dataDir.resolve(SECURITY_MODE_FILE), (security == null ? PLAINTEXT : SECURE) + "\n");
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
      LocalKafkaBroker broker = new LocalKafkaBroker(dataDir, clientPort, server, security);
      Map<String, Object> admin = security == null ? Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers())
          : security.internalAdminConfig(internalPort);
      broker.awaitReady(admin);
      if (security != null) {
        try (Admin client = Admin.create(admin)) {
          LocalKafkaAcls.create(client);
        } catch (RuntimeException e) {
          broker.close();
          throw e;
        }
        log.info("Kafka broker ready at {} (SASL_SSL, SCRAM-SHA-512; client configurations in {})", broker.bootstrapServers(),
            security.dir());
      } else {
        log.info("Kafka broker ready at {} (data in {})", broker.bootstrapServers(), dataDir);
      }
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data directory " + dataDir, e);
    }
  }

  /** A data directory made with security is never started without it, nor the other way round. */
  private static void checkSecurityMode(Path dataDir, boolean secure) throws IOException {
    if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
      return;
    }
    Path file = dataDir.resolve(SECURITY_MODE_FILE);
    String made = Files.exists(file) ? Files.readString(file).strip() : PLAINTEXT;
    String wanted = secure ? SECURE : PLAINTEXT;
    if (!made.equals(wanted)) {
      throw new IllegalStateException("the Kafka data directory " + dataDir + " was made " + (made.equals(SECURE)
          ? "with --secure; start it with --secure" : "without --secure (it has no users); use another data directory for a secured broker"));
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

  /** The users, certificate and client configurations of a broker started secured; null otherwise. */
  public LocalKafkaSecurity security() {
    return security;
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

  private void awaitReady(Map<String, Object> adminConfig) {
    try (Admin admin = Admin.create(adminConfig)) {
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

  /** Runs {@code kafka-storage format} on a new data directory, with {@code extra} arguments (SCRAM users). */
  private static void format(Path propertiesFile, List<String> extra) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    List<String> command = new ArrayList<>(List.of("format", "--cluster-id", Uuid.randomUuid().toString(), "--config",
        propertiesFile.toString()));
    command.addAll(extra);
    String[] args = command.toArray(String[]::new);
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

  private static void restrictToOwner(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }

  /** A port that was free on 127.0.0.1 a moment ago. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
