package io.visionstream.classifier.lifecycle;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The pipeline's lifecycle. The legal transitions are this table and nothing else:
 *
 * <pre>
 * CREATED  → STARTING, CLOSED, FAILED
 * STARTING → RUNNING, DRAINING, FAILED
 * RUNNING  → RETRYING, DRAINING, FAILED
 * RETRYING → RUNNING, DRAINING, FAILED
 * DRAINING → CLOSED, FAILED
 * CLOSED, FAILED: final
 * </pre>
 */
public enum State {
  /** Built; nothing started. */
  CREATED,
  /** Waiting for the brokers and opening the clients; not ready. */
  STARTING,
  /** Classifying. */
  RUNNING,
  /** A system fault is being retried; partitions paused, not ready, alive. */
  RETRYING,
  /** Closing: no new records; admitted ones finish within the shutdown timeout. */
  DRAINING,
  /** Closed cleanly. */
  CLOSED,
  /** Stopped by a fault it could not recover from; the process should exit non-zero and be restarted. */
  FAILED;

  private static final Map<State, Set<State>> LEGAL = new EnumMap<>(State.class);

  static {
    LEGAL.put(CREATED, EnumSet.of(STARTING, CLOSED, FAILED));
    LEGAL.put(STARTING, EnumSet.of(RUNNING, DRAINING, FAILED));
    LEGAL.put(RUNNING, EnumSet.of(RETRYING, DRAINING, FAILED));
    LEGAL.put(RETRYING, EnumSet.of(RUNNING, DRAINING, FAILED));
    LEGAL.put(DRAINING, EnumSet.of(CLOSED, FAILED));
    LEGAL.put(CLOSED, EnumSet.noneOf(State.class));
    LEGAL.put(FAILED, EnumSet.noneOf(State.class));
  }

  public boolean canMoveTo(State next) {
    return LEGAL.get(this).contains(next);
  }

  /** CLOSED or FAILED: nothing follows. */
  public boolean isFinal() {
    return LEGAL.get(this).isEmpty();
  }

  /** DRAINING or final: stages stop taking new work. */
  public boolean isStopping() {
    return this == DRAINING || isFinal();
  }
}
