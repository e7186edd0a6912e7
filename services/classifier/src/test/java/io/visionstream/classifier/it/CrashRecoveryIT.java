package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.Prediction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged service in its own JVM, killed with SIGKILL in the middle of a stream and started
 * again: every event ends up with a prediction; with exactly-once, a read_committed consumer sees
 * none twice. Then SIGTERM stops the second JVM within its shutdown timeout.
 */
@WithKafkaBroker
class CrashRecoveryIT {

  private static final int EVENTS = 600;
  private static final int PARTITIONS = 3;

  @ParameterizedTest
  @ValueSource(strings = {"at-least-once", "exactly-once"})
  void killedServiceRestartsAndEveryEventGetsItsPrediction(String guarantee, KafkaTestBroker broker) throws Exception {
    String input = broker.uniqueTopic("crash-" + guarantee);
    String predictions = input + "-predictions";
    broker.createTopic(input, PARTITIONS);
    broker.createTopic(predictions, PARTITIONS);
    broker.createTopic(input + "-dlq", 1);
    Set<UUID> sent = produce(broker, input);

    Process first = startService(broker, input, guarantee, "first");
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
        .until(() -> endOffsets(broker, predictions) >= 100 || !first.isAlive());
    assertThat(first.isAlive()).as("the first JVM was still working when killed").isTrue();
    long writtenBeforeKill = endOffsets(broker, predictions);
    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    assertThat(writtenBeforeKill).as("killed mid-stream").isLessThan(EVENTS);

    Process second = startService(broker, input, guarantee, "second");
    try {
      boolean readCommitted = guarantee.equals("exactly-once");
      List<UUID> seen = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      while (!new HashSet<>(seen).containsAll(sent) && System.nanoTime() < deadline) {
        seen.clear();
        for (ConsumerRecord<byte[], byte[]> record : Fixtures.read(broker, predictions, EVENTS, Duration.ofSeconds(10), readCommitted)) {
          Prediction prediction = Fixtures.prediction(record);
          Fixtures.madeInMode(prediction);
          seen.add(prediction.getEventId());
        }
      }
      assertThat(new HashSet<>(seen)).as("every event has a prediction").containsAll(sent);
      if (readCommitted) {
        assertThat(seen).as("read_committed sees each prediction once").hasSize(EVENTS).doesNotHaveDuplicates();
      }
    } finally {
      long stopping = System.nanoTime();
      second.destroy();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("SIGTERM stops the service").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(30));
    }
  }

  private static Set<UUID> produce(KafkaTestBroker broker, String topic) {
    List<byte[]> frames = Fixtures.jpegs(10, 300);
    Set<UUID> ids = new HashSet<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String source = "camera-" + i % 9;
      var event = Fixtures.event(source, frames.get(i % frames.size()), ContentType.JPEG, Instant.now(), Map.of());
      ids.add(event.getEventId());
      records.add(new ProducerRecord<>(topic, source.getBytes(StandardCharsets.UTF_8), Fixtures.encode(event)));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }
    return ids;
  }

  private static long endOffsets(KafkaTestBroker broker, String topic) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      ListOffsetsResult result = admin.listOffsets(request);
      long total = 0;
      for (TopicPartition partition : request.keySet()) {
        total += result.partitionResult(partition).get().offset();
      }
      return total;
    }
  }

  /** The service as deployed: this module's jar and its runtime dependencies, configured by system properties. */
  private static Process startService(KafkaTestBroker broker, String input, String guarantee, String name) throws IOException {
    Map<String, String> properties = new HashMap<>();
    properties.put("micronaut.server.port", "-1");
    properties.put("visionstream.kafka.bootstrap-servers", broker.bootstrapServers());
    properties.put("visionstream.classifier.model.dir", Fixtures.slowModel().toString());
    properties.put("visionstream.classifier.topics.input", input);
    properties.put("visionstream.classifier.topics.predictions", input + "-predictions");
    properties.put("visionstream.classifier.topics.dead-letters", input + "-dlq");
    properties.put("visionstream.classifier.delivery.guarantee", guarantee);
    properties.put("visionstream.classifier.delivery.group-id", input + "-group");
    properties.put("visionstream.classifier.delivery.transactional-id", input + "-tx");
    properties.put("visionstream.classifier.delivery.commit-interval", "100ms");
    properties.put("visionstream.classifier.batching.max-batch-size", "8");
    // The restarted member waits for the killed one's session to expire; 6 s is the broker's minimum.
    properties.put("visionstream.kafka.consumer.session.timeout.ms", "6000");
    properties.put("visionstream.kafka.consumer.heartbeat.interval.ms", "1000");
    Path log = Path.of("target", "crash-" + input + "-" + name + ".log");
    return new ProcessBuilder(Fixtures.serviceCommand("768m", properties)).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
  }
}
