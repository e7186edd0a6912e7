package io.visionstream.demo;

import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.serde.AvroSerdes;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads {@code predictions} (read_committed) and prints each as it arrives, with a live summary
 * line: on a terminal it is redrawn in place under the predictions, otherwise printed every few
 * seconds.
 */
final class PredictionPrinter implements Runnable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final PrintStream out;
  private final boolean terminal;
  private final boolean quiet;
  private final AtomicLong sent;
  private final ClassifierPipeline pipeline;
  private final Histogram latencyMillis = new Histogram(3_600_000L, 3);
  private final long startNanos = System.nanoTime();
  private volatile long received;
  private volatile boolean stopped;
  private long lastStatusNanos;
  private final GroundTruth truth;

  /** @param truth true labels of the images sent, or null when they have none */
  PredictionPrinter(Map<String, Object> client, String topic, PrintStream out, boolean terminal, boolean quiet, AtomicLong sent,
      ClassifierPipeline pipeline, GroundTruth truth) {
    this.truth = truth;
    Map<String, Object> config = new java.util.HashMap<>(client);
    config.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "visionstream-demo-printer", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    this.out = out;
    this.terminal = terminal;
    this.quiet = quiet;
    this.sent = sent;
    this.pipeline = pipeline;
  }

  @Override
  public void run() {
    try {
      while (!stopped) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          Prediction prediction = AvroSerdes.prediction().deserializer().deserialize(record.topic(), record.value());
          synchronized (this) {
            latencyMillis.recordValue(Math.max(0, System.currentTimeMillis() - prediction.getCapturedAt().toEpochMilli()));
            received++;
          }
          String check = truth == null || prediction.getTopK().isEmpty() ? null
              : truth.check(prediction.getEventId(), prediction.getTopK().get(0).getLabel());
          if (!quiet) {
            line(describe(prediction, check));
          }
        }
        if (!stopped) {
          status(false);
        }
      }
    } finally {
      consumer.close();
    }
  }

  long received() {
    return received;
  }

  void stop() {
    stopped = true;
  }

  /** @param check the ground truth's verdict on the top class, or null */
  private String describe(Prediction p, String check) {
    long latency = System.currentTimeMillis() - p.getCapturedAt().toEpochMilli();
    if (p.getStatus() != PredictionStatus.CLASSIFIED) {
      return String.format(Locale.ROOT, "%-9s %s  %-13s latency %4d ms", p.getSourceId(), shortId(p), p.getStatus(), latency);
    }
    String top = p.getTopK().stream().limit(2).map(PredictionPrinter::label).collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%-9s %s  %-44s batch %2d  latency %4d ms%s", p.getSourceId(), shortId(p), top,
        p.getBatchSize(), latency, check == null ? "" : "  " + check);
  }

  private static String label(ClassScore s) {
    String name = s.getLabel().length() > 24 ? s.getLabel().substring(0, 23) + "…" : s.getLabel();
    return String.format(Locale.ROOT, "%s %.2f", name, s.getScore());
  }

  private static String shortId(Prediction p) {
    return p.getEventId().toString().substring(0, 8);
  }

  /** The summary line: redrawn on a terminal, else printed every 5 s (or now, when final). */
  synchronized void status(boolean last) {
    long now = System.nanoTime();
    if (!last && now - lastStatusNanos < (terminal ? 250_000_000L : 5_000_000_000L)) {
      return;
    }
    lastStatusNanos = now;
    String line = (last ? "final: " : "") + summary();
    if (terminal && !last) {
      out.print("\r\033[K" + line);
      out.flush();
    } else {
      clearStatus();
      out.println(line);
    }
  }

  /** Prints {@code text} above the summary line. */
  synchronized void line(String text) {
    clearStatus();
    out.println(text);
  }

  private void clearStatus() {
    if (terminal) {
      out.print("\r\033[K");
    }
  }

  synchronized String summary() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double deadLetters = Arrays.stream(DeadLetterReason.values()).mapToDouble(r -> pipeline.metrics().deadLetters(r)).sum();
    return String.format(Locale.ROOT, "sent %d · predicted %d · skipped %.0f · dead letters %.0f · in flight %d%s · "
        + "%.1f predictions/s · latency p50 %d ms, p99 %d ms, max %d ms%s",
        sent.get(), received, pipeline.metrics().count(Outcome.Kind.SKIPPED), deadLetters, pipeline.budget().records(),
        pipeline.pollLoop() != null && pipeline.pollLoop().paused() ? " (paused)" : "", received / Math.max(seconds, 1e-3),
        latencyMillis.getValueAtPercentile(50), latencyMillis.getValueAtPercentile(99), latencyMillis.getMaxValue(),
        truth == null ? "" : " · " + truth.summary());
  }
}
