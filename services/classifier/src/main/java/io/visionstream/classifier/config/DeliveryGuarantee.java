package io.visionstream.classifier.config;

/** How predictions and consumer offsets reach Kafka. */
public enum DeliveryGuarantee {
  /**
   * Idempotent producer; offsets committed only past records whose prediction or dead letter the
   * broker acknowledged. A crash can repeat predictions written since the last commit.
   */
  AT_LEAST_ONCE,
  /**
   * Transactional producer: predictions, dead letters and the consumed offsets are committed in one
   * transaction, so {@code read_committed} consumers see each prediction once, even across crashes.
   */
  EXACTLY_ONCE
}
