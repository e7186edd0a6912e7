package io.visionstream.bench;

import io.visionstream.model.savedmodel.Directories;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.classifier.config.BackpressureConfig;
import io.visionstream.classifier.config.BatchingConfig;
import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.FaultsConfig;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.LimitsConfig;
import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.demo.SyntheticScenes;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.pipeline.PipelineOptions;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.service.tracing.Tracing;
import io.visionstream.kafka.local.LocalKafkaProcess;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the classifier pipeline against the model alone, on this machine, through a local
 * broker in its own process: (1) model-alone images/s at the batch size; (2) pipeline throughput
 * draining a backlog of camera frames; (3) end-to-end latency (captured_at to prediction read)
 * under open-loop load at a share of (2), compared with max-batch-wait + 2 × one batch's inference.
 */
@Command(name = "pipeline-benchmark", mixinStandardHelpOptions = true,
    description = "Pipeline throughput and latency through a local broker, next to the model alone.")
public final class PipelineBenchmark implements Callable<Integer> {

  @Option(names = "--model", required = true, description = "SavedModel directory.")
  Path model;

  @Option(names = "--batch-size", defaultValue = "32", description = "max-batch-size, and the model-alone batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--max-batch-wait-ms", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
  int maxBatchWaitMs;

  @Option(names = "--backlog", defaultValue = "1200", description = "Frames drained to measure throughput (default: ${DEFAULT-VALUE}).")
  int backlog;

  @Option(names = "--warmup-frames", defaultValue = "300",
      description = "Frames drained before the measured backlog, so that JIT compilation is over (default: ${DEFAULT-VALUE}).")
  int warmupFrames;

  @Option(names = "--load-share", defaultValue = "0.7", description = "Open-loop rate as a share of the pipeline's throughput (default: ${DEFAULT-VALUE}).")
  double loadShare;

  @Option(names = "--load-seconds", defaultValue = "40", description = "Open-loop duration (default: ${DEFAULT-VALUE}).")
  int loadSeconds;

  @Option(names = "--resolution", defaultValue = "640x480", converter = io.visionstream.demo.DemoCommand.Resolutions.class, arity = "1",
      paramLabel = "WxH",
      description = "Frame size WIDTHxHEIGHT (default: ${DEFAULT-VALUE}).")
  io.visionstream.loadtest.frames.Resolution resolution;

  @Option(names = "--bf16", description = "oneDNN bfloat16 auto mixed precision.")
  boolean bf16;

  @Option(names = "--decode-threads", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  int decodeThreads;

  @Option(names = "--decode-session-threads", defaultValue = "0",
      description = "Intra- and inter-op threads of the decode session (0: TensorFlow's default).")
  int decodeSessionThreads;

  @Option(names = "--intra-op-threads", defaultValue = "0",
      description = "The model session's threads inside one op (0: TensorFlow's default, one per core).")
  int intraOpThreads;

  @Option(names = "--inter-op-threads", defaultValue = "0",
      description = "The model session's ops run at once (0: TensorFlow's default).")
  int interOpThreads;

  @Option(names = "--preprocessing-mode", defaultValue = "exact",
      description = "exact or fast (JPEGs decoded at a DCT scale) (default: ${DEFAULT-VALUE}).")
  String preprocessingMode;

  @Option(names = "--verbose", description = "Print the pipeline's queues every 2 s while draining the backlog.")
  boolean verbose;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "demo-logback.xml");
    }
    System.exit(new CommandLine(new PipelineBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<byte[]> frames = SyntheticScenes.frames(7, 48, resolution.width(), resolution.height(), 0.85f);
    SessionSettings session = SessionSettings.DEFAULT.withThreads(intraOpThreads, interOpThreads).withCpuBf16(bf16);
    Path data = Files.createTempDirectory("visionstream-bench-kafka-");
    try (ClassifierModel classifier = ClassifierModel.load(model, session, ClassifierModel.Options.NONE);
         LocalKafkaProcess broker = LocalKafkaProcess.start(data, 0, List.of("bench-backlog:4", "bench-backlog-predictions:4",
             "bench-load:4", "bench-load-predictions:4", "bench-dlq:1"))) {
      double before = modelAlone(classifier);
      double pipeline = backlogThroughput(classifier, broker, frames, session);
      double after = modelAlone(classifier);
      double modelAlone = (before + after) / 2;
      double batchSeconds = batchSize / modelAlone;
      System.out.printf(Locale.ROOT, "model alone, batch %d: %.1f images/s before the pipeline run, %.1f after; mean %.1f "
          + "(%.0f ms per batch)%n", batchSize, before, after, modelAlone, batchSeconds * 1000);
      System.out.printf(Locale.ROOT, "pipeline through the broker, %d %s frames after %d warm-up frames: %.1f images/s "
          + "= %.2f x model alone (%s preprocessing)%n", backlog, resolution, warmupFrames, pipeline, pipeline / modelAlone,
          preprocessingMode);
      double rate = loadShare * pipeline;
      Histogram latency = openLoop(classifier, broker, frames, session, rate);
      double bound = maxBatchWaitMs + 2 * batchSeconds * 1000;
      System.out.printf(Locale.ROOT, "open loop at %.1f frames/s (%.0f%% of pipeline throughput) for %d s: %d predictions, "
          + "latency p50 %d ms, p99 %d ms, max %d ms; bound max-batch-wait + 2 x batch inference = %.0f ms (%s)%n",
          rate, loadShare * 100, loadSeconds, latency.getTotalCount(), latency.getValueAtPercentile(50),
          latency.getValueAtPercentile(99), latency.getMaxValue(), bound,
          latency.getValueAtPercentile(99) <= bound ? "met" : "missed");
    } finally {
      Directories.deleteTree(data);
    }
    return 0;
  }

  private static String progress(ClassifierPipeline pipeline, int predictions) {
    var registry = pipeline.metrics().registry();
    return String.format(Locale.ROOT, "predictions %d, in flight %d (%s), queues decode %.0f batch %.0f sink %.0f, batches %d (mean %.1f)",
        predictions, pipeline.budget().records(), pipeline.pollLoop().paused() ? "paused" : "running",
        registry.get("visionstream.classifier.queue.depth").tag("stage", "decode").gauge().value(),
        registry.get("visionstream.classifier.queue.depth").tag("stage", "batch").gauge().value(),
        registry.get("visionstream.classifier.queue.depth").tag("stage", "sink").gauge().value(),
        registry.get("visionstream.classifier.batch.size").summary().count(),
        registry.get("visionstream.classifier.batch.size").summary().mean());
  }

  private double modelAlone(ClassifierModel classifier) {
    BatchRunner runner = new BatchRunner(classifier);
    int s = classifier.preprocessing().cropSize();
    try (TFloat32 batch = TFloat32.tensorOf(Shape.of(batchSize, s, s, 3))) {
      for (int i = 0; i < 2; i++) {
        runner.run(batch, false);
      }
      double[] rates = new double[5];
      for (int r = 0; r < rates.length; r++) {
        long start = System.nanoTime();
        runner.run(batch, false);
        rates[r] = batchSize / ((System.nanoTime() - start) / 1e9);
      }
      Arrays.sort(rates);
      return rates[rates.length / 2];
    }
  }

  private double backlogThroughput(ClassifierModel classifier, LocalKafkaProcess broker, List<byte[]> frames,
      SessionSettings session) throws Exception {
    int frameCount = warmupFrames + backlog;
    try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
      for (int i = 0; i < frameCount; i++) {
        send(producer, "bench-backlog", "camera-" + i % 8, frames.get(i % frames.size()), Instant.now());
      }
    }
    try (KafkaConsumer<byte[], byte[]> reader = reader(broker, "bench-backlog-predictions")) {
      long start = System.nanoTime();
      try (ClassifierPipeline pipeline = start(classifier, broker, "bench-backlog", session)) {
        // Rate over the frames after the warm-up ones, so that start-up and JIT compilation are not counted.
        long first = 0;
        int total = 0;
        int firstBatch = 0;
        long lastReport = System.nanoTime();
        while (total < frameCount && System.nanoTime() - start < Duration.ofMinutes(10).toNanos()) {
          int n = reader.poll(Duration.ofMillis(50)).count();
          total += n;
          if (first == 0 && total >= warmupFrames) {
            first = System.nanoTime();
            firstBatch = total - warmupFrames;
          }
          if (verbose && System.nanoTime() - lastReport > 2_000_000_000L) {
            lastReport = System.nanoTime();
            System.out.println("  " + progress(pipeline, total));
          }
        }
        if (total < frameCount) {
          throw new IllegalStateException("only " + total + " of " + frameCount + " predictions within 10 minutes");
        }
        return (total - warmupFrames - firstBatch) / ((System.nanoTime() - first) / 1e9);
      }
    }
  }

  private Histogram openLoop(ClassifierModel classifier, LocalKafkaProcess broker, List<byte[]> frames, SessionSettings session,
      double rate) throws Exception {
    Histogram latency = new Histogram(600_000L, 3);
    try (KafkaConsumer<byte[], byte[]> reader = reader(broker, "bench-load-predictions");
         ClassifierPipeline pipeline = start(classifier, broker, "bench-load", session);
         KafkaProducer<byte[], byte[]> producer = producer(broker)) {
      Thread.sleep(3000); // let the classifier join its group before the clock starts
      long total = (long) (rate * loadSeconds);
      long intervalNanos = (long) (1e9 / rate);
      long start = System.nanoTime();
      long received = 0;
      for (long i = 0; i < total; i++) {
        long due = start + i * intervalNanos;
        while (System.nanoTime() < due) {
          received += record(reader.poll(Duration.ofMillis(1)), latency, 10 * 60_000);
        }
        // captured_at is the intended send time: a slow pipeline shows as latency, not as a lower rate
        Instant intended = Instant.now().minusNanos(System.nanoTime() - due);
        send(producer, "bench-load", "camera-" + i % 8, frames.get((int) (i % frames.size())), intended);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (received < total && System.nanoTime() < deadline) {
        received += record(reader.poll(Duration.ofMillis(50)), latency, 10 * 60_000);
      }
    }
    return latency;
  }

  private static long record(Iterable<ConsumerRecord<byte[], byte[]>> records, Histogram latency, long max) {
    long n = 0;
    long now = System.currentTimeMillis();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      Prediction p = AvroSerdes.prediction().deserializer().deserialize(record.topic(), record.value());
      latency.recordValue(Math.min(max, Math.max(0, now - p.getCapturedAt().toEpochMilli())));
      n++;
    }
    return n;
  }

  private ClassifierPipeline start(ClassifierModel classifier, LocalKafkaProcess broker, String input, SessionSettings session) {
    int s = classifier.preprocessing().cropSize();
    long perRecord = LimitsConfig.DEFAULT_MAX_RECORD_BYTES + (long) s * s * 12;
    PipelineSettings settings = new PipelineSettings(new TopicsConfig(input, input + "-predictions", "bench-dlq"),
        new BatchingConfig(batchSize, Duration.ofMillis(maxBatchWaitMs), decodeThreads, 8),
        new BackpressureConfig(4 * batchSize, Math.max(BackpressureConfig.DEFAULT_MAX_IN_FLIGHT_BYTES, 2L * batchSize * perRecord), 0.5),
        new LoadPolicyConfig(LoadPolicy.NEVER_DROP, Duration.ofSeconds(2)),
        new DeliveryConfig(DeliveryGuarantee.AT_LEAST_ONCE, input + "-group", "unused", Duration.ofMillis(500),
            Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60)),
        new LimitsConfig(LimitsConfig.DEFAULT_MAX_RECORD_BYTES, LimitsConfig.DEFAULT_MAX_PIXELS, LimitsConfig.DEFAULT_MAX_DEAD_LETTER_BYTES),
        FaultsConfig.defaults());
    return ClassifierPipeline.start(settings, new KafkaClientsConfig(broker.bootstrapServers(), Map.of(), Map.of(), Map.of()),
        ServingModel.fixed(classifier), new PipelineOptions(PreprocessingMode.of(preprocessingMode),
            ShadowModel.Sink.NONE, Tracing.OFF), 5,
        SessionSettings.DEFAULT.withThreads(decodeSessionThreads, decodeSessionThreads),
        new SimpleMeterRegistry(), Clock.systemUTC(), ClassifierPipeline.Overrides.NONE);
  }

  private static KafkaProducer<byte[], byte[]> producer(LocalKafkaProcess broker) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.LINGER_MS_CONFIG, 1), new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> reader(LocalKafkaProcess broker, String topic) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String source, byte[] frame, Instant captured) {
    ImageEvent event = ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId(source).setCapturedAt(captured)
        .setContentType(ContentType.JPEG).setImage(ByteBuffer.wrap(frame)).setAttributes(Map.of()).build();
    producer.send(new ProducerRecord<>(topic, source.getBytes(StandardCharsets.UTF_8), AvroSerdes.imageEvent().serializer()
        .serialize(topic, event)));
  }
}
