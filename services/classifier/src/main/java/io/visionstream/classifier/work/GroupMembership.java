package io.visionstream.classifier.work;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;

/**
 * The consumer's group metadata as of its last poll: written by the poll thread, read by the sink,
 * which sends offsets to a transaction with it (exactly-once). Thread-safe.
 */
public final class GroupMembership {

  private volatile ConsumerGroupMetadata metadata;

  public void update(ConsumerGroupMetadata metadata) {
    this.metadata = metadata;
  }

  /** The metadata, or {@code null} before the first poll. */
  public ConsumerGroupMetadata metadata() {
    return metadata;
  }
}
