package io.visionstream.classifier.source;

import io.visionstream.classifier.commit.OffsetTracker;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.work.GroupMembership;
import io.visionstream.classifier.work.Replay;
import io.visionstream.classifier.work.Stage;
import io.visionstream.classifier.work.WorkItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
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
 * flapping. While the pipeline is RETRYING a system fault, every partition stays paused.
 *
 * <p>With at-least-once delivery it commits, every commit interval, the offsets the tracker says
 * are done. On revocation it lets in-flight work of the revoked partitions finish (up to the
 * revocation timeout), commits it, and abandons the rest, which the new owner processes again. On
 * a {@link Replay rewind} (a write failed) it seeks every partition back to its first record whose
 * output was not acknowledged. A consumer error is a system fault: it is retried with backoff.
 */
public final class PollLoop implements Runnable, Replay {

  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  /** While paused, polls return nothing; a short timeout notices the resume mark promptly. */
  private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(10);

  /** What a record costs the budget, and where an admitted one goes. */
  public interface Admit {
    long cost(ConsumerRecord<byte[], byte[]> record);

    /** The part of {@link #cost} that decoding takes, given back once the record is decoded (0 if none). */
    default long decodeCost(ConsumerRecord<byte[], byte[]> record) {
      return 0;
    }

    void route(WorkItem item);
  }

  /**
   * @param topic the input topic
   * @param commitOffsets commit done offsets (at-least-once); with exactly-once the sink commits them
   * @param commitInterval how often offsets are committed
   * @param revocationTimeout how long revoked partitions' work may finish before it is abandoned
   */
  public record Settings(String topic, boolean commitOffsets, Duration commitInterval, Duration revocationTimeout) {}

  private final Consumer<byte[], byte[]> consumer;
  private final Settings settings;
  private final InFlightBudget budget;
  private final OffsetTracker tracker;
  private final Admit admit;
  private final GroupMembership membership;
  private final Lifecycle lifecycle;
  private final Faults faults;
  private final Progress progress;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicInteger resumes = new AtomicInteger();
  private final AtomicInteger revocations = new AtomicInteger();
  private final List<CompletableFuture<Void>> rewinds = new ArrayList<>();
  private volatile Set<TopicPartition> pausedPartitions = Set.of();
  private volatile boolean paused;
  private volatile long drainDeadlineNanos = -1;
  private volatile long closeDeadlineNanos = -1;
  private volatile boolean stopped;
  private long lastCommitNanos = System.nanoTime();

  public PollLoop(Consumer<byte[], byte[]> consumer, Settings settings, InFlightBudget budget, OffsetTracker tracker,
      Admit admit, GroupMembership membership, Lifecycle lifecycle, Faults faults, Progress progress) {
    this.consumer = consumer;
    this.settings = settings;
    this.budget = budget;
    this.tracker = tracker;
    this.admit = admit;
    this.membership = membership;
    this.lifecycle = lifecycle;
    this.faults = faults;
    this.progress = progress;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(settings.topic()), new Rebalance());
      while (!stopped && lifecycle.state() != State.FAILED) {
        try {
          step();
        } catch (WakeupException e) {
          if (!stopped) {
            throw e;
          }
        } catch (KafkaException e) {
          if (!faults.pause(faults.retrying(Stage.SOURCE, e))) {
            break;
          }
          continue;
        }
        faults.recovered(Stage.SOURCE);
        if (draining() && (tracker.pending() == 0 || System.nanoTime() > drainDeadlineNanos)) {
          break;
        }
      }
      finalCommit();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        consumer.close(remaining(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        log.warn("Closing the consumer failed: {}", e.toString());
      } finally {
        failRewinds();
        finished.countDown();
      }
    }
  }

  private void step() {
    rewindIfAsked();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(paused ? PAUSED_POLL_TIMEOUT : POLL_TIMEOUT);
    membership.update(consumer.groupMetadata());
    admitRecords(records);
    if (!paused && (lifecycle.state() == State.RETRYING || draining())) {
      pauseAll();
    } else if (paused && !draining() && lifecycle.state() == State.RUNNING && budget.belowResumeMark()) {
      consumer.resume(consumer.assignment());
      paused = false;
      resumes.incrementAndGet();
    }
    pausedPartitions = Set.copyOf(consumer.paused());
    commit();
    progress.progressed(Stage.SOURCE);
  }

  private void admitRecords(ConsumerRecords<byte[], byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> rewind = new HashMap<>();
    boolean full = draining() || lifecycle.state() == State.RETRYING;
    for (TopicPartition partition : records.partitions()) {
      int epoch = tracker.epoch(partition);
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        long decode = admit.decodeCost(record);
        long size = admit.cost(record) + decode;
        if (full || epoch < 0 || !budget.tryAcquire(size)) {
          full = true;
          rewind.put(partition, record.offset());
          break;
        }
        WorkItem item = new WorkItem(record, epoch, size, decode);
        tracker.admit(item);
        admit.route(item);
      }
    }
    rewind.forEach(consumer::seek);
    if (full && !paused) {
      pauseAll();
    }
  }

  private void pauseAll() {
    consumer.pause(consumer.assignment());
    paused = true;
    pauses.incrementAndGet();
  }

  /** Seeks every assigned partition back to its first unacknowledged record, if a rewind was asked for. */
  private void rewindIfAsked() {
    List<CompletableFuture<Void>> asked;
    synchronized (rewinds) {
      if (rewinds.isEmpty()) {
        return;
      }
      asked = new ArrayList<>(rewinds);
      rewinds.clear();
    }
    Map<TopicPartition, Long> positions = new HashMap<>();
    for (TopicPartition partition : consumer.assignment()) {
      long offset = tracker.rewind(partition);
      if (offset >= 0) {
        consumer.seek(partition, offset);
        positions.put(partition, offset);
      }
    }
    log.info("Rewound to the first unacknowledged record of each partition: {}", positions);
    asked.forEach(f -> f.complete(null));
  }

  @Override
  public CompletableFuture<Void> rewind() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (rewinds) {
      if (finished.getCount() == 0) {
        done.completeExceptionally(new IllegalStateException("the poll loop has ended"));
      } else {
        rewinds.add(done);
      }
    }
    return done;
  }

  private void failRewinds() {
    synchronized (rewinds) {
      rewinds.forEach(f -> f.completeExceptionally(new IllegalStateException("the poll loop has ended")));
      rewinds.clear();
    }
  }

  private void commit() {
    if (!settings.commitOffsets() || System.nanoTime() - lastCommitNanos < settings.commitInterval().toNanos()) {
      return;
    }
    lastCommitNanos = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable(consumer.assignment());
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(offsets, (done, error) -> {
      if (error == null) {
        tracker.committed(done);
      } else {
        log.warn("Committing offsets {} failed; they will be committed again: {}", done, error.toString());
      }
    });
  }

  /** Commits what is done before the consumer closes, within what is left of the close deadline. */
  private void finalCommit() {
    if (!settings.commitOffsets()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable(consumer.assignment());
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, remaining(Duration.ofSeconds(10)));
      tracker.committed(offsets);
    } catch (KafkaException e) {
      log.warn("The final commit of {} failed ({}); those records will be processed again after a restart", offsets,
          e.toString());
    }
  }

  /**
   * Stops admitting records and ends the loop once every admitted record is done or the timeout
   * passes; then commits and closes the consumer, within {@code closeTimeout} in all. Returns
   * immediately; see {@link #awaitFinished}.
   */
  public void drain(Duration timeout, Duration closeTimeout) {
    closeDeadlineNanos = System.nanoTime() + closeTimeout.toNanos();
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

  /** Time left before the close deadline (at most {@code cap}; {@code cap} when there is none). */
  private Duration remaining(Duration cap) {
    if (closeDeadlineNanos < 0) {
      return cap;
    }
    long left = Math.max(0, closeDeadlineNanos - System.nanoTime());
    return Duration.ofNanos(Math.min(left, cap.toNanos()));
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
        if (!tracker.awaitFinished(partitions, settings.revocationTimeout().toNanos())) {
          log.warn("In-flight work of revoked {} did not finish within {}; abandoning it", partitions,
              settings.revocationTimeout());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (settings.commitOffsets()) {
        Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable(partitions);
        if (!offsets.isEmpty()) {
          try {
            consumer.commitSync(offsets, remaining(settings.revocationTimeout().plusSeconds(5)));
          } catch (KafkaException e) {
            log.warn("Committing {} on revocation failed ({}); the new owner processes them again", offsets, e.toString());
          }
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
