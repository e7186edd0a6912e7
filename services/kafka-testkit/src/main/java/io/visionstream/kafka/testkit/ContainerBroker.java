package io.visionstream.kafka.testkit;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A broker in a container, configured through the official {@code apache/kafka} image's
 * environment variables, which the project's stand-in ({@code deploy/images/build --standin})
 * honours too. The container shares the host's network and listens on free loopback ports: it
 * works where containers get no network of their own, and binds nothing but 127.0.0.1. Images are
 * never pulled: the test kit uses one already present, or the tests are skipped saying which.
 */
final class ContainerBroker extends AbstractTestBroker {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final GenericContainer<?> container;
  private final String bootstrapServers;

  private ContainerBroker(GenericContainer<?> container, String bootstrapServers) {
    this.container = container;
    this.bootstrapServers = bootstrapServers;
  }

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  /** The images tried, in order, when none is named: the official one, then the project's stand-in. */
  static List<String> defaultImages() {
    String version = AppInfoParser.getVersion();
    return List.of("apache/kafka:" + version, "visionstream/kafka-standin:" + version);
  }

  /** The first of {@code candidates} present in the local Docker engine. */
  static Optional<String> firstPresent(List<String> candidates) {
    return candidates.stream().filter(ContainerBroker::present).findFirst();
  }

  /** Why no broker image can be used, for the skipped tests. */
  static String noImageReason(List<String> candidates) {
    return "visionstream.test.kafka=container: no Kafka image is present in the Docker engine (looked for "
        + String.join(", ", candidates) + ") and the test kit never pulls one; `docker pull " + candidates.get(0)
        + "`, or build the stand-in from Maven Central with deploy/images/build --standin; skipping";
  }

  private static boolean present(String image) {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  static ContainerBroker start(String image) {
    int port = freePort();
    int controllerPort = freePort();
    String bootstrap = "127.0.0.1:" + port;
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
        .withNetworkMode("host")
        .withImagePullPolicy(name -> false)
        .withEnv(Map.ofEntries(
            Map.entry("CLUSTER_ID", "5L6g3nShT-eMCtK--X86sw"),
            Map.entry("KAFKA_NODE_ID", "1"),
            Map.entry("KAFKA_PROCESS_ROLES", "broker,controller"),
            Map.entry("KAFKA_LISTENERS", "PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + controllerPort),
            Map.entry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + bootstrap),
            Map.entry("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
            Map.entry("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"),
            Map.entry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@127.0.0.1:" + controllerPort),
            Map.entry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1"),
            Map.entry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1"),
            Map.entry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1"),
            Map.entry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1"),
            Map.entry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1"),
            Map.entry("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0"),
            Map.entry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false"),
            // as the embedded broker: the classifier accepts records up to 8 MiB
            Map.entry("KAFKA_MESSAGE_MAX_BYTES", "10485760")));
    container.start();
    try {
      awaitReady(bootstrap);
    } catch (RuntimeException e) {
      String logs = container.getLogs();
      container.stop();
      throw new IllegalStateException("the " + image + " broker did not answer on " + bootstrap + " within " + READY_TIMEOUT
          .toSeconds() + " s; its log ends:\n" + tail(logs, 40), e);
    }
    return new ContainerBroker(container, bootstrap);
  }

  private static void awaitReady(String bootstrap) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000))) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(e);
          }
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no broker in the cluster metadata");
        }
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public String kind() {
    return "container";
  }

  @Override
  public void close() {
    container.stop();
  }
}
