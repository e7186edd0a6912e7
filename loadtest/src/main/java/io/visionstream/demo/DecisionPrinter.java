package io.visionstream.demo;

import io.visionstream.schemas.DecisionReason;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads {@code moderation-decisions} (read_committed) and prints each decision through the prediction printer. */
final class DecisionPrinter implements Runnable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final PredictionPrinter printer;
  private final boolean quiet;
  private final Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
  private volatile boolean stopped;

  DecisionPrinter(Map<String, Object> client, PredictionPrinter printer, boolean quiet) {
    Map<String, Object> config = new java.util.HashMap<>(client);
    config.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "visionstream-demo-decisions-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.printer = printer;
    this.quiet = quiet;
    consumer.subscribe(List.of("moderation-decisions"));
  }

  @Override
  public void run() {
    try {
      while (!stopped) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          ModerationDecision d = AvroSerdes.of(ModerationDecision.class).deserializer().deserialize(record.topic(), record.value());
          synchronized (this) {
            verdicts.merge(d.getVerdict(), 1L, Long::sum);
          }
          if (!quiet) {
            printer.line(describe(d));
          }
        }
      }
    } finally {
      consumer.close();
    }
  }

  private static String describe(ModerationDecision d) {
    String why = d.getReasons().isEmpty() ? (d.getNote() == null ? "" : d.getNote())
        : d.getReasons().stream().limit(2).map(DecisionPrinter::reason).collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%-9s %s  decision %-14s policy %s v%d  %s", d.getSourceId(),
        d.getEventId().toString().substring(0, 8), d.getVerdict(), d.getPolicySource(), d.getPolicyVersion(), why);
  }

  private static String reason(DecisionReason r) {
    return String.format(Locale.ROOT, "%s %.2f >= %.2f", r.getLabel(), r.getScore(), r.getThreshold());
  }

  synchronized long decided() {
    return verdicts.values().stream().mapToLong(Long::longValue).sum();
  }

  synchronized String summary() {
    return verdicts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(" · "));
  }

  void stop() {
    stopped = true;
  }
}
