package io.visionstream.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.kafka.local.LocalKafkaSecurity.Certificate;
import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureLocalKafkaIT {

  @TempDir
  Path dataDir;

  @Test
  void eachUserMayDoWhatItsAclsAllowAndNothingElse() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.startSecure(dataDir, 0, 0, Map.of(), Certificate.STANDARD)) {
      LocalKafkaSecurity security = broker.security();
      try (Admin admin = Admin.create(config(broker, User.ADMIN))) {
        admin.createTopics(List.of(new NewTopic("image-events", 2, (short) 1), new NewTopic("predictions", 2, (short) 1),
            new NewTopic("moderation-decisions", 1, (short) 1))).all().get();
      }
      // the load test writes image events; the classifier may not
      send(broker, User.LOADTEST, "image-events", "frame-1");
      assertThatThrownBy(() -> send(broker, User.CLASSIFIER, "image-events", "forged"))
          .hasRootCauseInstanceOf(TopicAuthorizationException.class);
      // the classifier writes predictions; moderation may not write image events
      send(broker, User.CLASSIFIER, "predictions", "prediction-1");
      assertThatThrownBy(() -> send(broker, User.MODERATION, "image-events", "forged"))
          .hasRootCauseInstanceOf(TopicAuthorizationException.class);
      // the classifier cannot read moderation's topics
      assertThatThrownBy(() -> read(broker, User.CLASSIFIER, "moderation-decisions", "visionstream-classifier"))
          .isInstanceOf(TopicAuthorizationException.class);
      assertThat(read(broker, User.CLASSIFIER, "image-events", "visionstream-classifier")).containsExactly("frame-1");
      // only the admin creates topics
      try (Admin classifier = Admin.create(config(broker, User.CLASSIFIER))) {
        assertThatThrownBy(() -> classifier.createTopics(List.of(new NewTopic("mine", 1, (short) 1))).all().get())
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
      assertThat(Files.getPosixFilePermissions(security.dir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(Files.getPosixFilePermissions(security.clientConfigFile(User.CLASSIFIER)))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void aWrongPasswordAndNoCredentialsAreRefused() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.startSecure(dataDir, 0, 0, Map.of(), Certificate.STANDARD)) {
      Map<String, Object> wrong = config(broker, User.CLASSIFIER);
      wrong.put("sasl.jaas.config", LocalKafkaSecurity.scramLogin("classifier", "not-the-password"));
      try (Admin admin = Admin.create(wrong)) {
        assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(SaslAuthenticationException.class);
      }
      Map<String, Object> none = new HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000));
      try (Admin admin = Admin.create(none)) {
        assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }
    }
  }

  @Test
  void credentialsAndCertificateAreKeptAcrossRestartsAndTheFilesWorkForClients() throws Exception {
    String password;
    try (LocalKafkaBroker broker = LocalKafkaBroker.startSecure(dataDir, 0, 0, Map.of(), Certificate.STANDARD)) {
      password = broker.security().password(User.LOADTEST);
    }
    try (LocalKafkaBroker again = LocalKafkaBroker.startSecure(dataDir, 0, 0, Map.of(), Certificate.STANDARD)) {
      assertThat(again.security().password(User.LOADTEST)).isEqualTo(password);
      Properties file = new Properties();
      try (InputStream in = Files.newInputStream(again.security().clientConfigFile(User.ADMIN))) {
        file.load(in);
      }
      file.put("bootstrap.servers", again.bootstrapServers());
      try (Admin admin = Admin.create(file)) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
      }
    }
    assertThatThrownBy(() -> LocalKafkaBroker.start(dataDir, 0, 0, Map.of()))
        .hasMessageContaining("was made with --secure");
  }

  @Test
  void anExpiredCertificateIsRefusedByClients() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.startSecure(dataDir, 0, 0, Map.of(), Certificate.expired())) {
      try (Admin admin = Admin.create(config(broker, User.ADMIN))) {
        assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(SslAuthenticationException.class)
            .hasRootCauseInstanceOf(java.security.cert.CertificateExpiredException.class);
      }
    }
  }

  private static Map<String, Object> config(LocalKafkaBroker broker, User user) {
    Map<String, Object> config = new HashMap<>(broker.security().clientConfig(user));
    config.put("bootstrap.servers", broker.bootstrapServers());
    return config;
  }

  private static void send(LocalKafkaBroker broker, User user, String topic, String value) throws Exception {
    Map<String, Object> config = config(broker, user);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> read(LocalKafkaBroker broker, User user, String topic, String group) {
    Map<String, Object> config = config(broker, user);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<String> values = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
      }
      return values;
    }
  }
}
