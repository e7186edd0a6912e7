package io.visionstream.loadtest.measure;

import io.visionstream.loadtest.Target;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * The classifier group's consumer lag on the input topic (log end offsets minus committed
 * offsets), and whether the group is ready, through the admin API. Needs Describe on the group
 * and the topic; where that is refused, lag is reported as unavailable and the run goes on.
 */
public final class LagProbe implements AutoCloseable {

  private static final long TIMEOUT_MS = 2_000;

  private final Target target;
  private final Admin admin;
  private volatile String unavailable;
  private Map<TopicPartition, OffsetSpec> inputPartitions;

  public LagProbe(Target target) {
    this.target = target;
    this.admin = Admin.create(target.clientConfig(Map.of("client.id", "visionstream-loadtest-lag")));
  }

  /** Current lag summed over the input topic's partitions, or null if it cannot be read. */
  public Long lag() {
    if (unavailable != null) {
      return null;
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(target.classifierGroup())
          .partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latestOfInput()).all()
          .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      long lag = 0;
      for (var end : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(end.getKey());
        lag += Math.max(0, end.getValue().offset() - (c == null ? 0 : c.offset()));
      }
      return lag;
    } catch (java.util.concurrent.TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      unavailable = "consumer lag of group " + target.classifierGroup() + " on " + target.inputTopic() + " is unavailable: "
          + (e.getCause() != null ? e.getCause() : e);
      return null;
    }
  }

  /** A request for the input topic's log-end offsets; its partitions are looked up once. */
  private Map<TopicPartition, OffsetSpec> latestOfInput() throws Exception {
    if (inputPartitions == null) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      admin.describeTopics(java.util.List.of(target.inputTopic())).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .get(target.inputTopic()).partitions()
          .forEach(p -> request.put(new TopicPartition(target.inputTopic(), p.partition()), OffsetSpec.latest()));
      inputPartitions = Map.copyOf(request);
    }
    return inputPartitions;
  }

  /** Why lag could not be read, or null. */
  public String unavailable() {
    return unavailable;
  }

  /**
   * Waits until the classifier group is Stable with a member assigned the input topic.
   *
   * @return null when ready, else what was last seen
   */
  public String awaitClassifier(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = "nothing";
    while (System.nanoTime() < deadline) {
      try {
        ConsumerGroupDescription group = admin.describeConsumerGroups(java.util.List.of(target.classifierGroup()))
            .all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(target.classifierGroup());
        boolean assigned = group.members().stream().anyMatch(m -> m.assignment().topicPartitions().stream()
            .anyMatch(tp -> tp.topic().equals(target.inputTopic())));
        if (group.groupState() == GroupState.STABLE && assigned) {
          return null;
        }
        seen = "state " + group.groupState() + ", " + group.members().size() + " members, assigned "
            + group.members().stream().flatMap(m -> m.assignment().topicPartitions().stream()).map(TopicPartition::toString)
                .collect(Collectors.joining(",", "[", "]"));
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        seen = String.valueOf(e.getCause() != null ? e.getCause() : e);
      }
      Thread.sleep(250);
    }
    return "consumer group " + target.classifierGroup() + " has no member reading " + target.inputTopic() + " after "
        + timeout.toSeconds() + " s (" + seen + "): is the classifier running with this group id? (--classifier-group; "
        + "--await-classifier 0s skips this check)";
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
