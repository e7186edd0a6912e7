package io.visionstream.classifier.work;

import java.util.concurrent.CompletableFuture;

/**
 * Takes the source back to the first record of each partition whose output is not acknowledged,
 * abandoning everything admitted after it, so that those records are processed and written again,
 * in order. The sink asks for it after a write failed.
 */
public interface Replay {

  /** Asks for the rewind; completes once the source has sought back. */
  CompletableFuture<Void> rewind();
}
