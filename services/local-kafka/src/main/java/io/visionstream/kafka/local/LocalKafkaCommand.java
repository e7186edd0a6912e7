package io.visionstream.kafka.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs {@link LocalKafkaBroker} as its own process until SIGTERM or Ctrl-C. Prints
 * {@code bootstrap.servers=<address>} once the broker serves clients and writes the address to
 * {@value #BOOTSTRAP_FILE} in the data directory (removed again on shutdown), which is how
 * {@code deploy/local/kafka-broker} learns that the broker is up.
 */
@Command(name = "local-kafka", mixinStandardHelpOptions = true, version = "visionstream local Kafka 4.1.1",
    description = "Runs a single-node Apache Kafka broker (KRaft) on 127.0.0.1 until stopped.")
public final class LocalKafkaCommand implements Runnable {

  /** Start of the lines naming each user's client configuration file, printed by a secured broker. */
  public static final String CLIENT_CONFIG_LINE = "client-config ";

  /** File in the data directory holding the bootstrap address while the broker runs. */
  public static final String BOOTSTRAP_FILE = "bootstrap.servers";

  @Option(names = "--data-dir", required = true, description = "Broker storage and logs; reused if it exists.")
  Path dataDir;

  @Option(names = "--port", description = "Client port on 127.0.0.1, 0 for a free one (default: 9092, with --secure 9093).")
  Integer port;

  @Option(names = "--secure", description = {"A SASL_SSL listener (SCRAM-SHA-512 over TLS) with deny-by-default ACLs and "
      + "one user per component: admin, classifier, moderation, loadtest. Certificates, passwords and a client "
      + "configuration per user are made in <data dir>/secure on the first start and named on every start."})
  boolean secure;

  @Option(names = "--controller-port", defaultValue = "0",
      description = "KRaft controller port; 0 reuses the data directory's or picks a free one.")
  int controllerPort;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Broker property overriding visionstream's default.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--topic", paramLabel = "NAME:PARTITIONS", description = "Topic to create if missing, e.g. image-events:4.")
  List<String> topics = new ArrayList<>();

  public static void main(String[] args) {
    CommandLine command = new CommandLine(new LocalKafkaCommand())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("local-kafka: " + e.getMessage());
          return 1;
        });
    System.exit(command.execute(args));
  }

  @Override
  public void run() {
    logToDataDir();
    Path bootstrapFile = dataDir.resolve(BOOTSTRAP_FILE);
    try {
      Files.deleteIfExists(bootstrapFile);
      int clientPort = port != null ? port : secure ? 9093 : 9092;
      LocalKafkaBroker broker = secure
          ? LocalKafkaBroker.startSecure(dataDir, clientPort, controllerPort, overrides, LocalKafkaSecurity.Certificate.STANDARD)
          : LocalKafkaBroker.start(dataDir, clientPort, controllerPort, overrides);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          Files.deleteIfExists(bootstrapFile);
          broker.close();
        } catch (Exception e) {
          System.err.println("error while stopping the broker: " + e);
        } finally {
          stopped.countDown();
        }
      }, "local-kafka-shutdown"));
      createTopics(broker.bootstrapServers(), broker.security());
      if (broker.security() != null) {
        for (LocalKafkaSecurity.User user : LocalKafkaSecurity.User.values()) {
          System.out.println(CLIENT_CONFIG_LINE + user.principal() + "=" + broker.security().clientConfigFile(user).toAbsolutePath());
        }
        System.out.flush();
      }
      Path tmp = dataDir.resolve(BOOTSTRAP_FILE + ".tmp");
      Files.writeString(tmp, broker.bootstrapServers() + "\n");
      Files.move(tmp, bootstrapFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      System.out.println("bootstrap.servers=" + broker.bootstrapServers());
      System.out.flush();
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("the broker failed: " + e.getMessage() + " (details in " + dataDir.resolve("broker.log") + ")", e);
    }
  }

  private void createTopics(String bootstrapServers, LocalKafkaSecurity security)
      throws InterruptedException, ExecutionException {
    if (topics.isEmpty()) {
      return;
    }
    Properties props = new Properties();
    if (security != null) {
      props.putAll(security.clientConfig(LocalKafkaSecurity.User.ADMIN));
    }
    props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      for (String spec : topics) {
        String[] parts = spec.split(":");
        int partitions = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
        try {
          admin.createTopics(List.of(new NewTopic(parts[0], partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }

  /** Broker logs go to broker.log in the data directory; set before the first logger exists. */
  private void logToDataDir() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("visionstream.kafka.log-file", dataDir.resolve("broker.log").toString());
      System.setProperty("logback.configurationFile", "local-kafka-logback.xml");
    }
  }
}
