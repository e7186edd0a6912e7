package io.visionstream.loadtest.measure;

import io.visionstream.schemas.serde.DeadLetterHeaders;
import io.visionstream.loadtest.Target;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import org.apache.kafka.common.serialization.Deserializer;
import io.visionstream.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the predictions and dead-letter topics from their current end (read_committed, so with
 * exactly-once delivery a prediction counts when its transaction commits), matches each outcome
 * to the event the generator sent, and records end-to-end latency: intended send time →
 * prediction read here. Both ends are on this host's monotonic clock, so the classifier's and
 * the brokers' clocks do not matter.
 */
public final class Measurer implements AutoCloseable {

  /** Latencies are recorded in microseconds, up to one hour. */
  public static final long MAX_LATENCY_MICROS = 3_600_000_000L;

  private final Target target;
  private final Ledger ledger;
  private volatile long warmupEndNanos = Long.MAX_VALUE;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Deserializer<Prediction> predictions = AvroSerdes.prediction().deserializer();
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  private final Recorder interval = new Recorder(MAX_LATENCY_MICROS, 3);
  private final ConcurrentHistogram latency = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
  private final LongAdder classified = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder otherStatus = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder foreign = new LongAdder();
  private final LongAdder unreadable = new LongAdder();
  private final LongAdder batchSizeSum = new LongAdder();
  private final LongAdder batchSizeCount = new LongAdder();
  private final Map<Integer, LongAdder> batchSizes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLetterReasons = new ConcurrentHashMap<>();
  private final AtomicReference<String> firstProblem = new AtomicReference<>();

  /**
   * Subscribes at the end of both topics; returns once positioned, so that every outcome of an
   * event sent afterwards is seen. Until {@link #warmupEnds} is called every event counts as warm-up.
   */
  public Measurer(Target target, Ledger ledger) {
    this.target = target;
    this.ledger = ledger;
    this.consumer = new KafkaConsumer<>(target.clientConfig(Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
        ConsumerConfig.CLIENT_ID_CONFIG, "visionstream-loadtest-measurer")),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(target.predictionsTopic(), target.deadLetterTopic())) {
      var info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (info == null || info.isEmpty()) {
        consumer.close();
        throw new IllegalStateException("topic " + topic + " does not exist on " + target.bootstrapServers());
      }
      info.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
    this.thread = new Thread(this::run, "loadtest-measurer");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          long now = System.nanoTime();
          if (record.topic().equals(target.predictionsTopic())) {
            prediction(record, now);
          } else {
            deadLetter(record);
          }
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      problem("the measurer stopped reading: " + e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private void prediction(ConsumerRecord<byte[], byte[]> record, long now) {
    Prediction prediction;
    try {
      prediction = predictions.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      unreadable.increment();
      problem("unreadable prediction at " + record.topic() + "-" + record.partition() + "@" + record.offset() + ": " + e.getMessage());
      return;
    }
    Ledger.Resolution match = ledger.resolve(prediction.getEventId());
    switch (match.match()) {
      case DUPLICATE -> duplicates.increment();
      case FOREIGN -> foreign.increment();
      case FIRST -> {
        if (prediction.getStatus() == PredictionStatus.CLASSIFIED) {
          classified.increment();
          long micros = Math.min(MAX_LATENCY_MICROS, Math.max(0, (now - match.intendedNanos()) / 1_000));
          interval.recordValue(micros);
          if (match.intendedNanos() >= warmupEndNanos) {
            latency.recordValue(micros);
          }
          int size = prediction.getBatchSize();
          if (size > 0) {
            batchSizes.computeIfAbsent(size, s -> new LongAdder()).increment();
            batchSizeSum.add(size);
            batchSizeCount.increment();
          }
        } else if (prediction.getStatus() == PredictionStatus.SKIPPED_STALE) {
          skipped.increment();
        } else {
          otherStatus.increment();
        }
      }
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record) {
    String id = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.EVENT_ID);
    UUID eventId;
    try {
      eventId = id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      eventId = null;
    }
    if (eventId == null) {
      foreign.increment();
      return;
    }
    switch (ledger.resolve(eventId).match()) {
      case DUPLICATE -> duplicates.increment();
      case FOREIGN -> foreign.increment();
      case FIRST -> {
        deadLettered.increment();
        String reason = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.REASON);
        deadLetterReasons.computeIfAbsent(reason == null ? "unknown" : reason, r -> new LongAdder()).increment();
      }
    }
  }

  private void problem(String message) {
    firstProblem.compareAndSet(null, message);
  }

  /** Events intended before {@code nanoTime} count as warm-up: matched, but their latency is kept out of {@link #latency()}. */
  public void warmupEnds(long nanoTime) {
    this.warmupEndNanos = nanoTime;
  }

  /** Latencies recorded since the last call (all events, warm-up included), for the timeline. */
  public Histogram intervalLatency(Histogram recycle) {
    return interval.getIntervalHistogram(recycle);
  }

  /** Latencies of classified events intended after the warm-up. */
  public Histogram latency() {
    return latency.copy();
  }

  /** Cumulative counts so far. */
  public Counts counts() {
    return new Counts(classified.sum(), skipped.sum(), otherStatus.sum(), deadLettered.sum(), duplicates.sum(),
        foreign.sum(), unreadable.sum(), batchSizeSum.sum(), batchSizeCount.sum());
  }

  /** Predictions seen per micro-batch size. */
  public Map<Integer, Long> batchSizes() {
    Map<Integer, Long> sizes = new java.util.TreeMap<>();
    batchSizes.forEach((size, count) -> sizes.put(size, count.sum()));
    return sizes;
  }

  public Map<String, Long> deadLetterReasons() {
    Map<String, Long> reasons = new java.util.TreeMap<>();
    deadLetterReasons.forEach((reason, count) -> reasons.put(reason, count.sum()));
    return reasons;
  }

  /** The first thing that went wrong while reading, or null. */
  public String firstProblem() {
    return firstProblem.get();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Cumulative outcome counts. */
  public record Counts(long classified, long skipped, long otherStatus, long deadLettered, long duplicates, long foreign,
      long unreadable, long batchSizeSum, long batchSizeCount) {}
}
