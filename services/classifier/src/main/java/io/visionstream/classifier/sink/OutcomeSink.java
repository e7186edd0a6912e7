package io.visionstream.classifier.sink;

import io.visionstream.classifier.commit.OffsetTracker;
import io.visionstream.classifier.pipeline.Outcome;
import io.visionstream.classifier.pipeline.PipelineMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes released outcomes, in the order the offset tracker released them, on its own thread.
 *
 * <p>At-least-once: each record is sent with the idempotent producer and acknowledged to the
 * tracker when the broker confirms it; offsets are committed by the poll thread. Exactly-once:
 * everything released since the last transaction is written in one transaction together with the
 * consumer offsets after it ({@code sendOffsetsToTransaction}), and acknowledged when the
 * transaction commits. A write that fails after the producer's own retries is fatal: the pipeline
 * stops without committing past it, and a restart processes those records again.
 */
public final class OutcomeSink implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(OutcomeSink.class);

  private final BlockingQueue<Outcome> released;
  private final Producer<byte[], byte[]> producer;
  private final boolean transactional;
  private final OffsetTracker tracker;
  private final PipelineMetrics metrics;
  private final Supplier<ConsumerGroupMetadata> groupMetadata;
  private final Consumer<Throwable> fatal;
  private volatile boolean stopping;

  /**
   * @param released the queue the offset tracker releases outcomes into, in order
   * @param transactional exactly-once: the producer has a transactional id and is initialised
   * @param groupMetadata the consumer's current group metadata (exactly-once only)
   * @param fatal told when a write fails for good
   */
  public OutcomeSink(BlockingQueue<Outcome> released, Producer<byte[], byte[]> producer, boolean transactional,
      OffsetTracker tracker, PipelineMetrics metrics, Supplier<ConsumerGroupMetadata> groupMetadata, Consumer<Throwable> fatal) {
    this.released = released;
    this.producer = producer;
    this.transactional = transactional;
    this.tracker = tracker;
    this.metrics = metrics;
    this.groupMetadata = groupMetadata;
    this.fatal = fatal;
  }

  public int depth() {
    return released.size();
  }

  /** Makes {@link #run()} return once the queue is empty. */
  public void stop() {
    stopping = true;
  }

  @Override
  public void run() {
    try {
      while (!(stopping && released.isEmpty())) {
        Outcome first = released.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(first);
        released.drainTo(outcomes);
        outcomes.removeIf(o -> !tracker.isCurrent(o.item()));
        if (transactional) {
          writeTransaction(outcomes);
        } else {
          outcomes.forEach(this::send);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KafkaException e) {
      fatal.accept(e);
    }
  }

  private void send(Outcome outcome) {
    producer.send(outcome.output(), (metadata, error) -> {
      if (error == null) {
        tracker.acknowledge(outcome.item());
        metrics.finished(outcome);
      } else {
        log.error("Writing the {} of {} to {} failed for good", outcome.kind(), outcome.item(), outcome.output().topic(), error);
        fatal.accept(error);
      }
    });
  }

  private void writeTransaction(List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Outcome outcome : outcomes) {
      offsets.merge(outcome.item().partition(), new OffsetAndMetadata(outcome.item().offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    try {
      producer.beginTransaction();
      for (Outcome outcome : outcomes) {
        producer.send(outcome.output());
      }
      producer.sendOffsetsToTransaction(offsets, groupMetadata.get());
      producer.commitTransaction();
    } catch (KafkaException e) {
      log.error("Transaction of {} outcomes failed; aborting it, none of them is visible to read_committed consumers",
          outcomes.size(), e);
      try {
        producer.abortTransaction();
      } catch (KafkaException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    }
    tracker.committed(offsets);
    for (Outcome outcome : outcomes) {
      tracker.acknowledge(outcome.item());
      metrics.finished(outcome);
    }
  }
}
