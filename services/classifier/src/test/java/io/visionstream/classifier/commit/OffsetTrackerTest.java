package io.visionstream.classifier.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.classifier.source.InFlightBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

  private static final TopicPartition P0 = new TopicPartition("image-events", 0);
  private static final TopicPartition P1 = new TopicPartition("image-events", 1);

  private final InFlightBudget budget = new InFlightBudget(100, 1 << 20, 0.5);
  private final List<Outcome> released = new ArrayList<>();
  private final OffsetTracker tracker = new OffsetTracker(budget::release, released::add);

  private WorkItem admit(TopicPartition partition, long offset) {
    WorkItem item = new WorkItem(new ConsumerRecord<>(partition.topic(), partition.partition(), offset, new byte[0], new byte[10]),
        tracker.epoch(partition), 10);
    budget.tryAcquire(10);
    tracker.admit(item);
    return item;
  }

  private static Outcome done(WorkItem item) {
    return Outcome.classified(item, new ProducerRecord<>("predictions", new byte[0]));
  }

  @Test
  void outcomesAreReleasedInOffsetOrderWhateverOrderTheyFinishIn() {
    tracker.assign(P0);
    WorkItem a = admit(P0, 10);
    WorkItem b = admit(P0, 11);
    WorkItem c = admit(P0, 14); // a gap, as transaction markers leave

    tracker.complete(done(c));
    tracker.complete(done(b));
    assertThat(released).isEmpty();
    tracker.complete(done(a));
    assertThat(released).extracting(o -> o.item().offset()).containsExactly(10L, 11L, 14L);
  }

  @Test
  void commitsOnlyUpToTheFirstUnacknowledgedRecord() {
    tracker.assign(P0);
    WorkItem a = admit(P0, 10);
    WorkItem b = admit(P0, 11);
    WorkItem c = admit(P0, 14);
    List.of(a, b, c).forEach(i -> tracker.complete(done(i)));

    assertThat(tracker.committable(List.of(P0))).containsEntry(P0, new OffsetAndMetadata(10));
    tracker.acknowledge(b);
    assertThat(tracker.committable(List.of(P0))).containsEntry(P0, new OffsetAndMetadata(10));
    tracker.acknowledge(a);
    assertThat(tracker.committable(List.of(P0))).containsEntry(P0, new OffsetAndMetadata(14));
    tracker.acknowledge(c);
    Map<TopicPartition, OffsetAndMetadata> all = tracker.committable(List.of(P0));
    assertThat(all).containsEntry(P0, new OffsetAndMetadata(15));
    tracker.committed(all);
    assertThat(tracker.committable(List.of(P0))).as("nothing new to commit").isEmpty();
    assertThat(budget.records()).isZero();
  }

  @Test
  void revokedPartitionsWorkIsAbandonedAndItsLateOutcomesDropped() {
    tracker.assign(P0);
    tracker.assign(P1);
    WorkItem a = admit(P0, 1);
    WorkItem b = admit(P1, 1);

    assertThat(tracker.revoke(List.of(P0))).containsExactly(a);
    assertThat(budget.records()).isEqualTo(1);
    assertThat(tracker.isCurrent(a)).isFalse();
    tracker.complete(done(a));
    tracker.acknowledge(a);
    assertThat(released).isEmpty();
    assertThat(budget.records()).as("abandoned work is given back once").isEqualTo(1);

    int epoch = tracker.assign(P0);
    assertThat(epoch).isNotEqualTo(a.epoch());
    tracker.complete(done(b));
    assertThat(released).extracting(Outcome::item).containsExactly(b);
  }

  @Test
  void pendingCountsAdmittedUntilAcknowledged() throws InterruptedException {
    tracker.assign(P0);
    WorkItem a = admit(P0, 5);
    assertThat(tracker.pending()).isEqualTo(1);
    assertThat(tracker.awaitFinished(List.of(P0), 1_000_000)).isFalse();
    tracker.complete(done(a));
    tracker.acknowledge(a);
    assertThat(tracker.awaitFinished(List.of(P0), 1_000_000)).isTrue();
  }
}
