package io.visionstream.classifier.config;

/** What to do with frames the classifier cannot keep up with. */
public enum LoadPolicy {
  /** Classify every event, however late (moderation: every upload is judged). */
  NEVER_DROP,
  /**
   * Do not classify frames older than the maximum frame age when they reach the batcher (camera
   * feeds); each still gets a Prediction with status SKIPPED_STALE.
   */
  DROP_STALE
}
