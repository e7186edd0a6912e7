package io.visionstream.classifier.it;

import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.pipeline.PipelineOptions;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.service.tracing.Tracing;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.preprocess.TestImages;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.savedmodel.Labels;
import io.visionstream.model.savedmodel.ModelExporter;
import io.visionstream.model.weights.SeededWeights;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Shared pieces of the classifier's integration tests. */
final class Fixtures {

  /**
   * The preprocessing mode the tests run the pipeline in: {@code exact}, or what the build sets in
   * {@code visionstream.it.preprocessing-mode} (the {@code fast-preprocessing} failsafe execution
   * runs the fault, budget and exactly-once suites again in {@code fast}).
   */
  static final PreprocessingMode MODE = PreprocessingMode.of(System.getProperty("visionstream.it.preprocessing-mode", "exact"));
  static final String MODE_KEY = "visionstream.classifier.model.preprocessing-mode";
  static final int INPUT_SIZE = 64;
  static final int CLASSES = 10;
  private static Path model;
  private static Path slowModel;

  private Fixtures() {}

  /** A seeded ResNet-18 with 10 classes on 64×64 inputs, exported once per test JVM. */
  static synchronized Path model() {
    if (model == null) {
      try {
        Path dir = Files.createTempDirectory("classifier-it-model").resolve("resnet18-tiny");
        ModelExporter.export(new ModelExporter.Request(ResNetArchitecture.RESNET18, CLASSES, new SeededWeights(9),
            Labels.numbered(CLASSES), "resnet18-tiny", "seed-9", new ResNetBuilder.Options(INPUT_SIZE, true),
            Preprocessing.TORCHVISION.withCropSize(INPUT_SIZE)), dir);
        model = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return model;
  }

  /** A seeded ResNet-18 on 224×224 inputs: ~100 images/s on two cores, slower than Kafka delivers events. */
  static synchronized Path slowModel() {
    if (slowModel == null) {
      try {
        Path dir = Files.createTempDirectory("classifier-it-model").resolve("resnet18-224");
        ModelExporter.export(new ModelExporter.Request(ResNetArchitecture.RESNET18, CLASSES, new SeededWeights(10),
            Labels.numbered(CLASSES), "resnet18-224", "seed-10", new ResNetBuilder.Options(224, true),
            Preprocessing.TORCHVISION), dir);
        slowModel = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return slowModel;
  }

  /**
   * Settings of a classifier service on {@code broker} serving {@code model}, reading {@code input}
   * and writing {@code input}-predictions and {@code input}-dlq, with its own group and
   * transactional id; on a free port.
   */
  static Map<String, Object> serviceProperties(KafkaTestBroker broker, String input, Path model) {
    Map<String, Object> properties = new java.util.HashMap<>();
    properties.put("micronaut.server.port", -1);
    properties.put("visionstream.kafka.bootstrap-servers", broker.bootstrapServers());
    properties.put("visionstream.classifier.model.dir", model.toString());
    properties.put("visionstream.classifier.topics.input", input);
    properties.put("visionstream.classifier.topics.predictions", input + "-predictions");
    properties.put("visionstream.classifier.topics.dead-letters", input + "-dlq");
    properties.put("visionstream.classifier.delivery.group-id", input + "-group");
    properties.put("visionstream.classifier.delivery.transactional-id", input + "-tx");
    properties.put(MODE_KEY, MODE.label());
    return properties;
  }

  /** The pipeline options of a test run: its preprocessing mode, no shadow, no tracing. */
  static PipelineOptions options() {
    return new PipelineOptions(MODE, ShadowModel.Sink.NONE, Tracing.OFF);
  }

  /** A one-thread preprocessor in the test run's mode, for what a frame gives alone. */
  static ImagePreprocessor preprocessor(ClassifierModel model) {
    return new ImagePreprocessor(model.preprocessing(), MODE, 1, 1_000_000, SessionSettings.DEFAULT);
  }

  /**
   * {@code count} distinct JPEG frames: 160×120 in exact mode; in fast mode camera-sized, 640×480
   * and 320×240 in turn, which the 64×64 model decodes at 1/4 and 1/2 and the 224×224 one at 1/2
   * and in full.
   */
  static List<byte[]> jpegs(int count, long seed) {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] size = frameSize(seed + i);
      frames.add(TestImages.encode(TestImages.scene(size[0], size[1], seed + i), "jpg"));
    }
    return frames;
  }

  /** Width and height of the frame {@link #jpegs} makes from {@code seed}. */
  static int[] frameSize(long seed) {
    if (MODE == PreprocessingMode.EXACT) {
      return new int[] {160, 120};
    }
    return seed % 2 == 0 ? new int[] {640, 480} : new int[] {320, 240};
  }

  /** The DCT scales {@code spec}'s model decodes {@link #jpegs}{@code (count, seed)} at in the run's mode. */
  static java.util.Set<Integer> jpegScales(Preprocessing spec, int count, long seed) {
    java.util.Set<Integer> scales = new java.util.TreeSet<>();
    for (int i = 0; i < count; i++) {
      int[] size = frameSize(seed + i);
      scales.add(MODE.jpegScale(spec, size[0], size[1]));
    }
    return scales;
  }

  /** Asserts that {@code prediction} names the run's preprocessing mode. */
  static void madeInMode(Prediction prediction) {
    org.assertj.core.api.Assertions.assertThat(prediction.getModel().getPreprocessing())
        .as("preprocessing named by the prediction of %s", prediction.getEventId()).isEqualTo(MODE.label());
  }

  static ImageEvent event(String source, byte[] image, ContentType type, Instant capturedAt, Map<String, String> attributes) {
    return ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId(source).setCapturedAt(capturedAt)
        .setContentType(type).setImage(ByteBuffer.wrap(image)).setAttributes(attributes).build();
  }

  /** Input, predictions and dead-letter topics with unique names; the first two with {@code partitions}. */
  static TopicsConfig topics(KafkaTestBroker broker, String name, int partitions) {
    TopicsConfig topics = new TopicsConfig(broker.uniqueTopic(name),
        broker.uniqueTopic(name + "-predictions"), broker.uniqueTopic(name + "-dlq"));
    broker.createTopic(topics.input(), partitions);
    broker.createTopic(topics.predictions(), partitions);
    broker.createTopic(topics.deadLetters(), 1);
    return topics;
  }

  /**
   * The command that runs the packaged service as deployed, in its own JVM: this module's jar and
   * its runtime dependencies (target/classpath.txt), with {@code properties} as system properties.
   */
  static List<String> serviceCommand(String maxHeap, Map<String, String> properties) throws IOException {
    Path target = Path.of("target");
    Path jar;
    try (var files = Files.list(target)) {
      jar = files.filter(f -> f.getFileName().toString().matches("visionstream-classifier-.*\\.jar")
          && !f.getFileName().toString().contains("-tests")).findFirst().orElseThrow();
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap, "-cp", jar + File.pathSeparator + Files.readString(target.resolve("classpath.txt")).strip()));
    Map<String, String> withMode = new java.util.HashMap<>(properties);
    withMode.putIfAbsent(MODE_KEY, MODE.label());
    onePort(withMode).forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("io.visionstream.classifier.ClassifierApplication");
    return command;
  }

  /**
   * {@code properties} with the management endpoints on the public port, so that a test reads
   * {@code /health} and {@code /prometheus} where it set {@code micronaut.server.port} (a free port
   * for both when that is -1, or when it is missing); unchanged if {@code endpoints.all.port} is set.
   */
  static <V> Map<String, V> onePort(Map<String, V> properties) {
    if (properties.containsKey("endpoints.all.port")) {
      return properties;
    }
    Map<String, Object> result = new java.util.LinkedHashMap<>(properties);
    Object port = properties.get("micronaut.server.port");
    if (port == null || port.toString().equals("-1")) {
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        port = Integer.toString(socket.getLocalPort());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    result.put("micronaut.server.port", port.toString());
    result.put("endpoints.all.port", port.toString());
    @SuppressWarnings("unchecked")
    Map<String, V> typed = (Map<String, V>) result;
    return typed;
  }

  static byte[] encode(ImageEvent event) {
    return AvroSerdes.imageEvent().serializer().serialize("image-events", event);
  }

  static KafkaProducer<byte[], byte[]> producer(KafkaTestBroker broker) {
    return new KafkaProducer<>(broker.clientConfig(Map.of(ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 << 20)), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends and waits for every acknowledgement. */
  static void send(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records) {
    List<Future<?>> acks = new ArrayList<>();
    records.forEach(r -> acks.add(producer.send(r)));
    for (Future<?> ack : acks) {
      try {
        ack.get();
      } catch (Exception e) {
        throw new IllegalStateException("sending a test record failed", e);
      }
    }
  }

  /** Reads {@code topic} from the beginning until {@code count} records arrived or {@code timeout} passed. */
  static List<ConsumerRecord<byte[], byte[]>> read(KafkaTestBroker broker, String topic, int count, Duration timeout,
      boolean readCommitted) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted")),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      if (records.size() >= count) {
        // a little longer, to see duplicates or extras that would follow
        long settle = System.nanoTime() + Duration.ofMillis(500).toNanos();
        while (System.nanoTime() < settle) {
          consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
      }
    }
    return records;
  }

  static Prediction prediction(ConsumerRecord<byte[], byte[]> record) {
    return AvroSerdes.prediction().deserializer().deserialize(record.topic(), record.value());
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return io.visionstream.schemas.serde.DeadLetterHeaders.get(record.headers(), name);
  }
}
