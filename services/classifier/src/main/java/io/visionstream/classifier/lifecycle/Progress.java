package io.visionstream.classifier.lifecycle;

import io.visionstream.classifier.work.Stage;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * When each stage last finished a piece of work, and how much work waits for it; stages report,
 * the {@link Watchdog} reads. Thread-safe.
 */
public final class Progress {

  private final LongSupplier nanos;
  private final Map<Stage, AtomicLong> last = new EnumMap<>(Stage.class);
  private final Map<Stage, IntSupplier> waiting = new EnumMap<>(Stage.class);

  public Progress(LongSupplier nanos) {
    this.nanos = nanos;
    for (Stage stage : Stage.values()) {
      last.put(stage, new AtomicLong(nanos.getAsLong()));
      waiting.put(stage, () -> 0);
    }
  }

  /** {@code stage} finished something (a poll, a group, a batch, an acknowledgement). */
  public void progressed(Stage stage) {
    last.get(stage).set(nanos.getAsLong());
  }

  /** How many items wait for {@code stage}, queued or in its hands; set once by the assembly. */
  public void waiting(Stage stage, IntSupplier count) {
    waiting.put(stage, count);
  }

  long lastNanos(Stage stage) {
    return last.get(stage).get();
  }

  int waitingFor(Stage stage) {
    return waiting.get(stage).getAsInt();
  }

  long now() {
    return nanos.getAsLong();
  }
}
