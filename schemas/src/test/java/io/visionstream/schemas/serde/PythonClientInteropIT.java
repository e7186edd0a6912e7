package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Independent clients of the wire format: examples/python/image_event.py (Debian's python3-avro
 * and python3-confluent-kafka) and kcat write ImageEvents that the Java deserializer reads.
 * Skipped where those packages are not installed (.ci/run installs them).
 */
@WithKafkaBroker
class PythonClientInteropIT {

  private static final String PYTHON = "/usr/bin/python3";
  private static final Path SCRIPT = Path.of("examples/python/image_event.py").toAbsolutePath();

  @TempDir
  Path tmp;

  @Test
  void pythonComputesTheSameFingerprintsAsJava() throws Exception {
    assumePython("avro");
    Result result = exec(PYTHON, SCRIPT.toString(), "fingerprints");
    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(result.stdout.lines()).containsExactly(
        "ImageEvent " + SingleObjectEncoding.hex(SingleObjectEncoding.fingerprint(ImageEvent.getClassSchema())),
        "Prediction " + SingleObjectEncoding.hex(SingleObjectEncoding.fingerprint(Prediction.getClassSchema())));
  }

  @Test
  void eventsProducedByConfluentKafkaPythonAreReadByJava(KafkaTestBroker broker) throws Exception {
    assumePython("avro", "confluent_kafka");
    String topic = broker.uniqueTopic("image-events-python");
    broker.createTopic(topic, 2);
    Random random = new Random(5);
    Path jpeg = Files.write(tmp.resolve("frame.jpg"), TestRecords.jpeg(random, 120, 90));
    Path png = Files.write(tmp.resolve("upload.png"), TestRecords.png(random, 50, 40));
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();

    for (Object[] spec : List.of(new Object[] {jpeg, first, "camera-3"}, new Object[] {png, second, "uploads"})) {
      Result produced = exec(PYTHON, SCRIPT.toString(), "produce", "--bootstrap", broker.bootstrapServers(),
          "--topic", topic, "--image", spec[0].toString(), "--source", (String) spec[2], "--event-id", spec[1].toString(),
          "--captured-at-ms", "1790000000123", "--attribute", "site=dock-4");
      assertThat(produced.exit).as(produced.stderr).isZero();
      assertThat(produced.stdout.strip()).isEqualTo(spec[1].toString());
    }

    Map<UUID, ConsumerRecord<String, ImageEvent>> read = readEvents(broker, topic, 2);
    ImageEvent fromJpeg = read.get(first).value();
    assertThat(read.get(first).key()).isEqualTo("camera-3");
    assertThat(fromJpeg.getSourceId()).isEqualTo("camera-3");
    assertThat(fromJpeg.getContentType()).isEqualTo(ContentType.JPEG);
    assertThat(fromJpeg.getCapturedAt()).isEqualTo(Instant.ofEpochMilli(1_790_000_000_123L));
    assertThat(fromJpeg.getImage().array()).isEqualTo(Files.readAllBytes(jpeg));
    assertThat(fromJpeg.getAttributes()).containsExactly(Map.entry("site", "dock-4"));
    ImageEvent fromPng = read.get(second).value();
    assertThat(fromPng.getContentType()).isEqualTo(ContentType.PNG);
    assertThat(fromPng.getImage().array()).isEqualTo(Files.readAllBytes(png));
  }

  @Test
  void eventEncodedByPythonAndProducedByKcatIsReadByJava(KafkaTestBroker broker) throws Exception {
    assumePython("avro");
    assumeThat(Files.isExecutable(Path.of("/usr/bin/kcat"))).as("kcat is installed").isTrue();
    String topic = broker.uniqueTopic("image-events-kcat");
    broker.createTopic(topic, 1);
    Path jpeg = Files.write(tmp.resolve("frame.jpg"), TestRecords.jpeg(new Random(6), 64, 64));
    Path encoded = tmp.resolve("event.bin");
    UUID id = UUID.randomUUID();

    Result encode = exec(PYTHON, SCRIPT.toString(), "encode", "--image", jpeg.toString(), "--source", "camera-9",
        "--event-id", id.toString(), "--out", encoded.toString());
    assertThat(encode.exit).as(encode.stderr).isZero();
    Result kcat = exec("kcat", "-P", "-b", broker.bootstrapServers(), "-t", topic, "-k", "camera-9", encoded.toString());
    assertThat(kcat.exit).as(kcat.stderr).isZero();

    ImageEvent event = readEvents(broker, topic, 1).get(id).value();
    assertThat(event.getSourceId()).isEqualTo("camera-9");
    assertThat(event.getImage().array()).isEqualTo(Files.readAllBytes(jpeg));
  }

  private static Map<UUID, ConsumerRecord<String, ImageEvent>> readEvents(KafkaTestBroker broker, String topic, int count) {
    Map<UUID, ConsumerRecord<String, ImageEvent>> events = new java.util.HashMap<>();
    try (KafkaConsumer<String, ImageEvent> consumer = new KafkaConsumer<>(broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, topic + "-java", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
        new StringDeserializer(), AvroSerdes.imageEvent().deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (events.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> events.put(r.value().getEventId(), r));
      }
    }
    assertThat(events).hasSize(count);
    return events;
  }

  private static void assumePython(String... modules) throws Exception {
    assumeThat(Files.isExecutable(Path.of(PYTHON))).as(PYTHON + " exists").isTrue();
    Result imports = exec(PYTHON, "-c", "import " + String.join(", ", modules));
    assumeThat(imports.exit).as("Debian python3 modules %s are installed (apt-get install python3-avro "
        + "python3-confluent-kafka)", List.of(modules)).isZero();
  }

  private record Result(int exit, String stdout, String stderr) {}

  private static Result exec(String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("interop", ".out");
    Path err = Files.createTempFile("interop", ".err");
    try {
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(List.of(command) + " did not finish within 60 s");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }
}
