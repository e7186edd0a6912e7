package io.visionstream.classifier.source;

import io.visionstream.classifier.commit.OffsetTracker;
import io.visionstream.classifier.pipeline.WorkItem;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the Kafka consumer. It admits records in offset order while the
 * in-flight budget has room; when the next record does not fit it seeks each partition back to its
 * first unadmitted record and pauses every assigned partition, but keeps calling {@code poll()} so
 * the consumer stays in its group, and resumes once in-flight work falls below the resume mark.
 * Pausing only when a record does not fit and resuming only well below the limit keeps it from
 * flapping.
 *
 * <p>With at-least-once delivery it commits, every commit interval, the offsets the tracker says
 * are done. On revocation it lets in-flight work of the revoked partitions finish (up to the
 * revocation timeout), commits it, and abandons the rest, which the new owner processes again.
 */
public final class PollLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  /** While paused, polls return nothing; a short timeout notices the resume mark promptly. */
  private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(10);

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final InFlightBudget budget;
  private final OffsetTracker tracker;
  private final Consumer<WorkItem> admitted;
  private final RecordCost cost;
  private final boolean commitOffsets;
  private final Duration commitInterval;
  private final Duration revocationTimeout;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicInteger resumes = new AtomicInteger();
  private final AtomicInteger revocations = new AtomicInteger();
  private volatile ConsumerGroupMetadata groupMetadata;
  private volatile Set<TopicPartition> pausedPartitions = Set.of();
  private volatile boolean paused;
  private volatile long drainDeadlineNanos = -1;
  private volatile boolean stopped;
  private long lastCommitNanos = System.nanoTime();

  /** What a record costs the budget: its size, plus its decoded input if it will be decoded. */
  public interface RecordCost {
    long of(ConsumerRecord<byte[], byte[]> record);
  }

  /**
   * @param admitted receives each admitted item, in offset order per partition
   * @param commitOffsets commit done offsets (at-least-once); with exactly-once the sink commits them
   */
  public PollLoop(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, String topic, InFlightBudget budget,
      OffsetTracker tracker, Consumer<WorkItem> admitted, RecordCost cost, boolean commitOffsets, Duration commitInterval,
      Duration revocationTimeout) {
    this.consumer = consumer;
    this.topic = topic;
    this.budget = budget;
    this.tracker = tracker;
    this.admitted = admitted;
    this.cost = cost;
    this.commitOffsets = commitOffsets;
    this.commitInterval = commitInterval;
    this.revocationTimeout = revocationTimeout;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (!stopped) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(paused ? PAUSED_POLL_TIMEOUT : POLL_TIMEOUT);
        groupMetadata = consumer.groupMetadata();
        admit(records);
        if (paused && !draining() && budget.belowResumeMark()) {
          consumer.resume(consumer.assignment());
          paused = false;
          resumes.incrementAndGet();
        }
        pausedPartitions = Set.copyOf(consumer.paused());
        commit(false);
        if (draining() && (tracker.pending() == 0 || System.nanoTime() > drainDeadlineNanos)) {
          break;
        }
      }
      commit(true);
    } catch (WakeupException e) {
      if (!stopped) {
        throw e;
      }
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } finally {
        finished.countDown();
      }
    }
  }

  private void admit(ConsumerRecords<byte[], byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> rewind = new HashMap<>();
    boolean full = draining();
    for (TopicPartition partition : records.partitions()) {
      int epoch = tracker.epoch(partition);
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        long size = cost.of(record);
        if (full || epoch < 0 || !budget.tryAcquire(size)) {
          full = true;
          rewind.put(partition, record.offset());
          break;
        }
        WorkItem item = new WorkItem(record, epoch, size);
        tracker.admit(item);
        admitted.accept(item);
      }
    }
    rewind.forEach(consumer::seek);
    if (full && !paused) {
      consumer.pause(consumer.assignment());
      paused = true;
      pauses.incrementAndGet();
    }
  }

  private void commit(boolean now) {
    if (!commitOffsets || (!now && System.nanoTime() - lastCommitNanos < commitInterval.toNanos())) {
      return;
    }
    lastCommitNanos = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable(consumer.assignment());
    if (offsets.isEmpty()) {
      return;
    }
    if (now) {
      consumer.commitSync(offsets);
      tracker.committed(offsets);
    } else {
      consumer.commitAsync(offsets, (done, error) -> {
        if (error == null) {
          tracker.committed(done);
        } else {
          log.warn("Committing offsets {} failed; they will be committed again", done, error);
        }
      });
    }
  }

  /**
   * Stops admitting records and ends the loop once every admitted record is done or the timeout
   * passes; then commits and closes the consumer. Returns immediately; see {@link #awaitFinished}.
   */
  public void drain(Duration timeout) {
    drainDeadlineNanos = System.nanoTime() + timeout.toNanos();
  }

  /** Ends the loop as soon as possible (still committing what is done) and closes the consumer. */
  public void stop() {
    stopped = true;
    consumer.wakeup();
  }

  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private boolean draining() {
    return drainDeadlineNanos >= 0;
  }

  /** The consumer's group metadata as of the last poll, for transactional offset commits. */
  public ConsumerGroupMetadata groupMetadata() {
    return groupMetadata;
  }

  /** {@code consumer.paused()} as of the last poll. */
  public Set<TopicPartition> pausedPartitions() {
    return pausedPartitions;
  }

  public boolean paused() {
    return paused;
  }

  public int pauses() {
    return pauses.get();
  }

  public int resumes() {
    return resumes.get();
  }

  /** Partitions revoked from this consumer so far (a rebalance took them away). */
  public int revocations() {
    return revocations.get();
  }

  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      partitions.forEach(tracker::assign);
      if (paused || draining()) {
        consumer.pause(partitions);
      }
      log.info("Assigned {}", partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      revocations.addAndGet(partitions.size());
      try {
        if (!tracker.awaitFinished(partitions, revocationTimeout.toNanos())) {
          log.warn("In-flight work of revoked {} did not finish within {}; abandoning it", partitions, revocationTimeout);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (commitOffsets) {
        Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable(partitions);
        if (!offsets.isEmpty()) {
          consumer.commitSync(offsets);
        }
      }
      List<WorkItem> abandoned = tracker.revoke(partitions);
      log.info("Revoked {}{}", partitions, abandoned.isEmpty() ? "" : "; abandoned " + abandoned.size() + " unfinished records");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      List<WorkItem> abandoned = tracker.revoke(partitions);
      log.warn("Lost {} without a clean revocation; abandoned {} unfinished records", partitions, abandoned.size());
    }
  }
}
