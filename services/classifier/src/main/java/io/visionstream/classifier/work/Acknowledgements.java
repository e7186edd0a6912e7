package io.visionstream.classifier.work;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the sink tells the offset tracker: outputs the broker acknowledged, offsets it committed. */
public interface Acknowledgements {

  /** False for abandoned work, whose output must not be written. */
  boolean isCurrent(WorkItem item);

  /** The broker acknowledged the item's output (or, exactly-once, its transaction committed). */
  void acknowledge(WorkItem item);

  /** These offsets are committed. */
  void committed(Map<TopicPartition, OffsetAndMetadata> offsets);
}
