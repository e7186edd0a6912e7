package io.visionstream.loadtest.measure;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every event the generator sent, by id, until its outcome (a prediction or a dead letter) is
 * seen. An id seen a second time is a duplicate; an id never sent by this run is foreign (left
 * over from an earlier run, or from another producer).
 */
public final class Ledger {

  /** How an outcome matched the ledger. */
  public enum Match { FIRST, DUPLICATE, FOREIGN }

  /** The match, and for {@link Match#FIRST} the event's intended send time on the {@link System#nanoTime()} clock. */
  public record Resolution(Match match, long intendedNanos) {}

  private static final Resolution DUPLICATE = new Resolution(Match.DUPLICATE, 0);
  private static final Resolution FOREIGN = new Resolution(Match.FOREIGN, 0);

  private final ConcurrentHashMap<UUID, Long> pending = new ConcurrentHashMap<>();
  private final Set<UUID> resolved = ConcurrentHashMap.newKeySet();

  /** Called before the event is handed to the producer, so its outcome cannot arrive first. */
  public void sending(UUID id, long intendedNanos) {
    pending.put(id, intendedNanos);
  }

  /** The producer gave up on the event: it was never accepted, so it is not expected. */
  public void sendFailed(UUID id) {
    pending.remove(id);
  }

  public Resolution resolve(UUID id) {
    Long intended = pending.remove(id);
    if (intended != null) {
      resolved.add(id);
      return new Resolution(Match.FIRST, intended);
    }
    return resolved.contains(id) ? DUPLICATE : FOREIGN;
  }

  /** Sent (and not failed) events without an outcome yet. */
  public int outstanding() {
    return pending.size();
  }

  /** Intended send times (nanoTime clock) of the events still outstanding. */
  public long[] outstandingIntendedTimes() {
    return pending.values().stream().mapToLong(Long::longValue).toArray();
  }
}
