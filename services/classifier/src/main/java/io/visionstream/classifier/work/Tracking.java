package io.visionstream.classifier.work;

/**
 * What the decode and inference stages need of the offset tracker: whether an item is still
 * wanted, and where its outcome goes.
 */
public interface Tracking {

  /** False for abandoned work (its partition was revoked, lost or rewound): drop it. */
  boolean isCurrent(WorkItem item);

  /** Hands over an item's outcome; outcomes are released to the sink in offset order per partition. */
  void complete(Outcome outcome);
}
