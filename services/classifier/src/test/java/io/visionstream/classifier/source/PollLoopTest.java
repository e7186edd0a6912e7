package io.visionstream.classifier.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.visionstream.classifier.commit.OffsetTracker;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.testing.StageFixtures;
import io.visionstream.classifier.work.GroupMembership;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.WorkItem;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollLoopTest {

  private static final TopicPartition PARTITION = new TopicPartition("image-events", 0);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final Lifecycle lifecycle = StageFixtures.running();
  private final Faults faults = StageFixtures.faults(lifecycle, Duration.ofMinutes(1));
  private final List<WorkItem> routed = new CopyOnWriteArrayList<>();
  private InFlightBudget budget;
  private OffsetTracker tracker;
  private PollLoop loop;
  private Thread thread;

  private void start(int maxRecords) {
    budget = new InFlightBudget(maxRecords, 1 << 20, 0.5);
    tracker = new OffsetTracker(budget::release, outcome -> { });
    PollLoop.Admit admit = new PollLoop.Admit() {
      @Override
      public long cost(ConsumerRecord<byte[], byte[]> record) {
        return 10;
      }

      @Override
      public void route(WorkItem item) {
        routed.add(item);
      }
    };
    loop = new PollLoop(consumer, new PollLoop.Settings("image-events", true, Duration.ofMillis(10), Duration.ofSeconds(1)),
        budget, tracker, admit, new GroupMembership(), lifecycle, faults, new Progress(System::nanoTime));
    consumer.schedulePollTask(() -> {
      consumer.rebalance(List.of(PARTITION));
      consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    });
    thread = new Thread(loop, "test-poll");
    thread.start();
  }

  private void add(int from, int to) {
    for (int offset = from; offset < to; offset++) {
      consumer.addRecord(new ConsumerRecord<>("image-events", 0, offset, null, new byte[] {(byte) offset}));
    }
  }

  private void finish(WorkItem item) {
    tracker.complete(Outcome.skipped(item, null));
    tracker.acknowledge(item);
  }

  @AfterEach
  void stop() throws Exception {
    if (loop != null) {
      loop.stop();
      loop.awaitFinished(Duration.ofSeconds(5));
      thread.join(5000);
    }
  }

  @Test
  void pausesWhenTheBudgetIsFullSeeksBackToTheFirstUnadmittedRecordAndResumesBelowTheMark() {
    start(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> tracker.epoch(PARTITION) > 0);
    add(0, 5);
    await().atMost(Duration.ofSeconds(5)).until(() -> routed.size() == 2 && loop.paused());
    assertThat(routed).extracting(WorkItem::offset).containsExactly(0L, 1L);
    assertThat(consumer.position(PARTITION)).as("sought back to the first record that did not fit").isEqualTo(2);
    assertThat(loop.pausedPartitions()).containsExactly(PARTITION);
    routed.forEach(this::finish);
    await().atMost(Duration.ofSeconds(5)).until(() -> !loop.paused());
    assertThat(loop.resumes()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(consumer.committed(Set.of(PARTITION)))
        .as("committed; the tracker offers %s", tracker.committable(Set.of(PARTITION)))
        .containsEntry(PARTITION, new OffsetAndMetadata(2)));
  }

  @Test
  void aRewindSeeksToTheFirstUnacknowledgedRecordAndAbandonsEverythingAfterIt() throws Exception {
    start(100);
    await().atMost(Duration.ofSeconds(5)).until(() -> tracker.epoch(PARTITION) > 0);
    add(0, 4);
    await().atMost(Duration.ofSeconds(5)).until(() -> routed.size() == 4);
    finish(routed.get(0));
    loop.rewind().get(5, TimeUnit.SECONDS);
    assertThat(consumer.position(PARTITION)).isEqualTo(1);
    assertThat(routed.subList(1, 4)).noneMatch(tracker::isCurrent);
    assertThat(budget.records()).as("abandoned work gives its budget back").isZero();
  }

  @Test
  void whileAFaultIsRetriedEveryPartitionStaysPausedAndNothingIsAdmitted() {
    start(100);
    await().atMost(Duration.ofSeconds(5)).until(() -> tracker.epoch(PARTITION) > 0);
    lifecycle.moveTo(State.RETRYING);
    await().atMost(Duration.ofSeconds(5)).until(() -> loop.paused());
    add(0, 3); // (MockConsumer forgets records it returned, so they are added once the partition is paused)
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertThat(routed).isEmpty();
    assertThat(loop.pausedPartitions()).containsExactly(PARTITION);
    lifecycle.moveTo(State.RUNNING);
    await().atMost(Duration.ofSeconds(5)).until(() -> routed.size() == 3);
  }

  @Test
  void aConsumerErrorIsASystemFaultRetriedWithBackoff() {
    start(100);
    await().atMost(Duration.ofSeconds(5)).until(() -> tracker.epoch(PARTITION) > 0);
    consumer.setPollException(new KafkaException("fetch failed"));
    await().atMost(Duration.ofSeconds(5)).until(() -> faults.retries() == 1);
    add(0, 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> routed.size() == 2);
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
  }
}
