package io.visionstream.classifier.sink;

import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.work.Acknowledgements;
import io.visionstream.classifier.work.GroupMembership;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.Replay;
import io.visionstream.classifier.work.Stage;
import io.visionstream.classifier.work.StageMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
 * transaction commits.
 *
 * <p>A write that fails (after the producer's own retries), an aborted or fenced transaction, or
 * a commit from a stale consumer generation is a system fault, never the records': the sink
 * drops its producer, has the source rewind to the first unacknowledged record of each partition
 * (so nothing is committed past the failure and everything after it is written again, in order),
 * waits out the backoff, and writes again with a new producer. A fault that outlasts the give-up
 * time fails the pipeline.
 */
public final class OutcomeSink implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(OutcomeSink.class);
  private static final Duration REWIND_TIMEOUT = Duration.ofSeconds(30);

  /** Makes producers: transactional ones are returned initialised ({@code initTransactions}). */
  public interface ProducerFactory {
    Producer<byte[], byte[]> create();
  }

  private final BlockingQueue<Outcome> released;
  private final ProducerFactory producers;
  private final boolean transactional;
  private final Acknowledgements acks;
  private final StageMetrics metrics;
  private final GroupMembership membership;
  private final Replay replay;
  private final Faults faults;
  private final Progress progress;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Producer<byte[], byte[]> producer;
  private volatile int generation;
  private volatile boolean recovering;
  private volatile boolean stopping;

  /**
   * @param released the queue the offset tracker releases outcomes into, in order
   * @param transactional exactly-once: the factory makes transactional producers
   * @param membership the consumer's group metadata (exactly-once only)
   * @param replay rewinds the source after a failed write
   */
  public OutcomeSink(BlockingQueue<Outcome> released, ProducerFactory producers, boolean transactional, Acknowledgements acks,
      StageMetrics metrics, GroupMembership membership, Replay replay, Faults faults, Progress progress) {
    this.released = released;
    this.producers = producers;
    this.transactional = transactional;
    this.acks = acks;
    this.metrics = metrics;
    this.membership = membership;
    this.replay = replay;
    this.faults = faults;
    this.progress = progress;
  }

  /** Creates the first producer; called once, before {@link #run()}. */
  public void open() {
    producer = producers.create();
  }

  /** Outcomes queued or sent and not yet acknowledged. */
  public int waiting() {
    return released.size() + inFlight.get();
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
      while (!(stopping && released.isEmpty() && failure.get() == null)) {
        if (failure.get() != null) {
          if (!recover()) {
            return;
          }
          continue;
        }
        Outcome first = released.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(first);
        released.drainTo(outcomes);
        outcomes.removeIf(o -> !acks.isCurrent(o.item()));
        write(outcomes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    try {
      if (transactional) {
        writeTransaction(outcomes);
      } else {
        outcomes.forEach(this::send);
      }
    } catch (KafkaException e) {
      failure.compareAndSet(null, e);
    }
  }

  private void send(Outcome outcome) {
    int sentBy = generation;
    inFlight.incrementAndGet();
    try {
      producer.send(outcome.output(), (metadata, error) -> {
        inFlight.decrementAndGet();
        if (sentBy != generation) {
          return; // a replaced producer's late answer; its records are being written again
        }
        if (error == null) {
          acknowledged(outcome);
        } else {
          failure.compareAndSet(null, error);
        }
      });
    } catch (KafkaException e) {
      inFlight.decrementAndGet();
      throw e;
    }
  }

  private void writeTransaction(List<Outcome> outcomes) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Outcome outcome : outcomes) {
      offsets.merge(outcome.item().partition(), new OffsetAndMetadata(outcome.item().offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    inFlight.addAndGet(outcomes.size());
    try {
      producer.beginTransaction();
      for (Outcome outcome : outcomes) {
        producer.send(outcome.output());
      }
      producer.sendOffsetsToTransaction(offsets, membership.metadata());
      producer.commitTransaction();
    } catch (KafkaException e) {
      try {
        producer.abortTransaction();
      } catch (KafkaException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    } finally {
      inFlight.addAndGet(-outcomes.size());
    }
    acks.committed(offsets);
    outcomes.forEach(this::acknowledged);
  }

  private void acknowledged(Outcome outcome) {
    acks.acknowledge(outcome.item());
    metrics.finished(outcome);
    RecordTraces.finished(outcome);
    progress.progressed(Stage.SINK);
    if (recovering) {
      recovering = false;
      faults.recovered(Stage.SINK);
    }
  }

  /**
   * After a failed write: counts the retry, drops the producer, rewinds the source, waits out the
   * backoff and opens a new producer. False when the pipeline stopped meanwhile.
   */
  private boolean recover() throws InterruptedException {
    Throwable cause = failure.get();
    Duration pause = faults.retrying(Stage.SINK, cause);
    generation++;
    Producer<byte[], byte[]> old = producer;
    producer = null;
    if (old != null) {
      try {
        old.close(Duration.ZERO);
      } catch (RuntimeException e) {
        log.debug("Closing the failed producer: {}", e.toString());
      }
    }
    try {
      replay.rewind().get(REWIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("The source did not rewind within {}: {}", REWIND_TIMEOUT, e.toString());
    }
    released.removeIf(o -> !acks.isCurrent(o.item()));
    if (!faults.pause(pause)) {
      return false;
    }
    try {
      producer = producers.create();
      failure.set(null);
      recovering = true;
      // the source may run again: after a replay of everything pending, the next write needs new work
      faults.resumed(Stage.SINK);
    } catch (KafkaException e) {
      failure.set(e);
    }
    return true;
  }

  /** Closes the producer, waiting up to {@code timeout} for sends in flight. */
  public void close(Duration timeout) {
    Producer<byte[], byte[]> current = producer;
    if (current != null) {
      try {
        current.close(timeout);
      } catch (RuntimeException e) {
        log.warn("Closing the producer failed: {}", e.toString());
      }
    }
  }
}
