package io.visionstream.classifier.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.testing.StageFixtures;
import io.visionstream.classifier.work.GroupMembership;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.Replay;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.schemas.ClassScore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutcomeSinkTest {

  private final Lifecycle lifecycle = StageFixtures.running();
  private final Faults faults = StageFixtures.faults(lifecycle, Duration.ofMinutes(1));
  private final StageFixtures.Recorder recorder = new StageFixtures.Recorder();
  private final BlockingQueue<Outcome> released = new LinkedBlockingQueue<>();
  private final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
  private final AtomicInteger rewinds = new AtomicInteger();
  private final List<WorkItem> all = new ArrayList<>();
  private final GroupMembership membership = new GroupMembership();
  private Thread thread;

  /** Rewinding abandons everything admitted so far, as the offset tracker's new epoch does. */
  private final Replay replay = () -> {
    rewinds.incrementAndGet();
    recorder.dropped.addAll(all);
    return CompletableFuture.completedFuture(null);
  };

  private OutcomeSink start(boolean transactional, boolean autoComplete) {
    membership.update(new ConsumerGroupMetadata("classifier"));
    OutcomeSink sink = new OutcomeSink(released, () -> {
      MockProducer<byte[], byte[]> producer = new MockProducer<>(autoComplete || !producers.isEmpty(), new RoundRobinPartitioner(),
          new ByteArraySerializer(), new ByteArraySerializer());
      if (transactional) {
        producer.initTransactions();
      }
      producers.add(producer);
      return producer;
    }, transactional, recorder, recorder, membership, replay, faults, new Progress(System::nanoTime));
    sink.open();
    thread = new Thread(sink, "test-sink");
    thread.start();
    return sink;
  }

  /** Releases {@code n} outcomes at once, as the tracker does: all of them admitted before any is queued. */
  private List<WorkItem> release(int n, long firstOffset) {
    List<WorkItem> items = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      WorkItem item = StageFixtures.item(0, firstOffset + i, StageFixtures.event("cam-1", new byte[] {1}));
      items.add(item);
      outcomes.add(Outcome.classified(item, StageFixtures.outputs().prediction(item, StageFixtures.MODEL,
          List.of(new ClassScore(0, "a", 0.9f)), 1, 10)));
    }
    all.addAll(items);
    released.addAll(outcomes);
    return items;
  }

  @AfterEach
  void stop() throws InterruptedException {
    lifecycle.moveTo(State.DRAINING);
    faults.wake();
    if (thread != null) {
      thread.interrupt();
      thread.join(5000);
    }
  }

  @Test
  void aFailedSendRewindsTheSourceAndWritesAgainWithANewProducerNothingAcknowledgedPastIt() {
    start(false, false);
    List<WorkItem> first = release(3, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> producers.get(0).history().size() == 3);
    producers.get(0).completeNext();
    producers.get(0).errorNext(new TimeoutException("Expiring 1 record(s) for predictions-0"));
    await().atMost(Duration.ofSeconds(5)).until(() -> producers.size() == 2);
    assertThat(rewinds).hasValue(1);
    // the new producer is ready: the pipeline runs again so that the source can replay (it is paused
    // while RETRYING, and the sink has nothing else to write); a failure before a success would go
    // on with the same outage
    await().atMost(Duration.ofSeconds(5)).until(() -> lifecycle.state() == State.RUNNING);
    producers.get(0).completeNext(); // a late answer of the dropped producer: ignored
    assertThat(recorder.acknowledged).containsExactly(first.get(0));

    List<WorkItem> again = release(2, 1); // the source replays from the first unacknowledged record
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.acknowledged.size() == 3);
    assertThat(recorder.acknowledged).containsExactly(first.get(0), again.get(0), again.get(1));
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
    assertThat(faults.retries()).isEqualTo(1);
  }

  @Test
  void aTransactionThatFailsToCommitIsAbortedAndItsRecordsReplayed() {
    start(true, true);
    CommitFailedException stale = new CommitFailedException("stale generation after a rebalance");
    List<WorkItem> first = release(2, 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> producers.get(0).transactionCommitted());
    producers.get(0).commitTransactionException = stale;
    List<WorkItem> failed = release(2, 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> producers.size() == 2);
    assertThat(producers.get(0).transactionAborted()).isTrue();
    assertThat(rewinds).hasValue(1);
    assertThat(recorder.acknowledged).containsExactlyElementsOf(first);
    assertThat(recorder.acknowledged).doesNotContainAnyElementsOf(failed);

    List<WorkItem> again = release(2, 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.acknowledged.size() == 4);
    assertThat(recorder.acknowledged.subList(2, 4)).containsExactlyElementsOf(again);
    assertThat(recorder.commits).as("only committed transactions are reported")
        .allSatisfy(c -> assertThat(c.values()).singleElement().satisfies(o -> assertThat(o.offset()).isIn(1L, 2L, 3L, 4L)));
    assertThat(recorder.commits.get(recorder.commits.size() - 1).values()).singleElement()
        .satisfies(o -> assertThat(o.offset()).isEqualTo(4));
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
  }
}
