package io.visionstream.demo;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The true class of each labelled image the demo sent, by event id, and how many predictions got it right. */
final class GroundTruth {

  private final Map<UUID, String> labels = new ConcurrentHashMap<>();
  private final AtomicLong judged = new AtomicLong();
  private final AtomicLong right = new AtomicLong();

  void sent(UUID eventId, String label) {
    labels.put(eventId, label);
  }

  /** Checks a top-1 label against the truth: "✓" or "✗ true: X", or null for an image not sent with a label. */
  String check(UUID eventId, String predicted) {
    String truth = labels.remove(eventId);
    if (truth == null) {
      return null;
    }
    judged.incrementAndGet();
    if (truth.equals(predicted)) {
      right.incrementAndGet();
      return "✓";
    }
    return "✗ true: " + truth;
  }

  String summary() {
    long n = judged.get();
    return String.format(java.util.Locale.ROOT, "right %d of %d (%.1f%%)", right.get(), n, n == 0 ? 0.0 : 100.0 * right.get() / n);
  }
}
