package io.visionstream.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerIT {

  @TempDir
  Path dataDir;

  @Test
  void topicsAndRecordsSurviveARestartOnAnotherPort() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir, 0, 0, Map.of())) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("frames", 3, (short) 1))).all().get();
      }
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("frames", "camera-1", "frame-1")).get();
      }
    }
    try (LocalKafkaBroker again = LocalKafkaBroker.start(dataDir, LocalKafkaBroker.freePort(), 0, Map.of())) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", again.bootstrapServers()))) {
        assertThat(admin.describeTopics(List.of("frames")).allTopicNames().get().get("frames").partitions()).hasSize(3);
      }
      assertThat(readAll(again.bootstrapServers(), "frames", 1)).containsExactly("frame-1");
    }
  }

  @Test
  void acceptsRecordsAsLargeAsTheClassifierDoesOnTopicsItCreates() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir, 0, 0, Map.of())) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("uploads", 1, (short) 1))).all().get();
      }
      String eightMib = "x".repeat(8 << 20);
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 9 << 20), new StringSerializer(),
          new StringSerializer())) {
        assertThat(producer.send(new ProducerRecord<>("uploads", "camera-1", eightMib)).get().serializedValueSize())
            .isEqualTo(8 << 20);
      }
    }
  }

  @Test
  void listensOnLoopbackOnly() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir, 0, 0, Map.of())) {
      int port = Integer.parseInt(broker.bootstrapServers().substring("127.0.0.1:".length()));
      String config = Files.readString(dataDir.resolve(LocalKafkaBroker.PROPERTIES_FILE));
      assertThat(config).contains("listeners=PLAINTEXT\\://127.0.0.1\\:" + port);

      Optional<InetAddress> external = nonLoopbackAddress();
      assumeThat(external).as("host has a non-loopback IPv4 address to probe").isPresent();
      assertThatThrownBy(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(external.get(), port), 2_000);
        }
      }).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void takenPortFailsTheStartNamingThePortAndLeavesNoBrokerBehind() throws Exception {
    try (var taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> LocalKafkaBroker.start(dataDir, port, 0, Map.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Kafka broker on 127.0.0.1:" + port);
    }
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir, 0, 0, Map.of())) {
      assertThat(readAll(broker.bootstrapServers(), "__absent", 0)).isEmpty();
    }
  }

  @Test
  void brokerPropertyOverridesApply() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir, 0, 0, Map.of("num.partitions", "5"))) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("defaulted", Optional.empty(), Optional.empty()))).all().get();
        assertThat(admin.describeTopics(List.of("defaulted")).allTopicNames().get().get("defaulted").partitions()).hasSize(5);
      }
    }
  }

  static List<String> readAll(String bootstrap, String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
      }
    }
    return values;
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    return NetworkInterface.networkInterfaces()
        .filter(nic -> {
          try {
            return nic.isUp() && !nic.isLoopback();
          } catch (IOException e) {
            return false;
          }
        })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .findFirst();
  }
}
