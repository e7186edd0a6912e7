package io.visionstream.classifier.commit;

import io.visionstream.classifier.work.Acknowledgements;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.Tracking;
import io.visionstream.classifier.work.WorkItem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows every admitted record per partition, in admission (offset) order, until its outcome is
 * acknowledged, and says which offsets may be committed: up to, not including, the first record
 * of each partition whose output the broker has not acknowledged.
 *
 * <p>It also keeps output in input order: outcomes finish in any order (a rejected image before
 * the prediction of an earlier one), but are released to the sink only when every earlier record
 * of the partition has its outcome, so predictions of one source (one partition) are written in
 * the order its events were. Releasing happens under the tracker's lock, so the sink receives
 * them in that order whichever thread finished them.
 *
 * <p>Each assignment of a partition has an epoch; work admitted under an earlier epoch (the
 * partition was revoked, lost, or rewound) is abandoned wherever it shows up. The in-flight budget
 * is given back when an item is acknowledged or abandoned. Thread-safe.
 */
public final class OffsetTracker implements Tracking, Acknowledgements {

  private static final class Entry {
    final WorkItem item;
    Outcome outcome;
    boolean released;
    boolean acknowledged;

    Entry(WorkItem item) {
      this.item = item;
    }
  }

  private static final class Ledger {
    final int epoch;
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    final Map<Long, Entry> byOffset = new HashMap<>();
    long nextOffset = -1;
    long committed = -1;

    Ledger(int epoch) {
      this.epoch = epoch;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private final Map<TopicPartition, Ledger> ledgers = new HashMap<>();
  private final LongConsumer release;
  private final Consumer<Outcome> sink;
  private int epochs;

  /**
   * @param release gives an item's share of the in-flight budget back (its budget bytes)
   * @param sink receives released outcomes in per-partition order (called under the tracker's lock; must not block)
   */
  public OffsetTracker(LongConsumer release, Consumer<Outcome> sink) {
    this.release = release;
    this.sink = sink;
  }

  /** Starts tracking a newly assigned partition; returns its epoch. */
  public int assign(TopicPartition partition) {
    lock.lock();
    try {
      Ledger ledger = new Ledger(++epochs);
      Ledger previous = ledgers.put(partition, ledger);
      if (previous != null) {
        abandon(previous);
      }
      return ledger.epoch;
    } finally {
      lock.unlock();
    }
  }

  /** The partition's current epoch, or -1 if it is not assigned. */
  public int epoch(TopicPartition partition) {
    lock.lock();
    try {
      Ledger ledger = ledgers.get(partition);
      return ledger == null ? -1 : ledger.epoch;
    } finally {
      lock.unlock();
    }
  }

  /** True while the item's partition is still assigned under the epoch the item was admitted in. */
  @Override
  public boolean isCurrent(WorkItem item) {
    return epoch(item.partition()) == item.epoch();
  }

  /** Records an admitted item; the caller has already taken its share of the budget. */
  public void admit(WorkItem item) {
    lock.lock();
    try {
      Ledger ledger = ledgers.get(item.partition());
      if (ledger == null || ledger.epoch != item.epoch()) {
        release.accept(item.takeBudgetBytes());
        return;
      }
      Entry entry = new Entry(item);
      ledger.entries.addLast(entry);
      ledger.byOffset.put(item.offset(), entry);
      ledger.nextOffset = item.offset() + 1;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Attaches an item's outcome and releases, in order, every outcome of its partition that no
   * longer waits for an earlier one. Outcomes of abandoned work are dropped.
   */
  @Override
  public void complete(Outcome outcome) {
    lock.lock();
    try {
      WorkItem item = outcome.item();
      Ledger ledger = ledgers.get(item.partition());
      Entry entry = ledger == null || ledger.epoch != item.epoch() ? null : ledger.byOffset.get(item.offset());
      if (entry == null || entry.outcome != null) {
        return;
      }
      entry.outcome = outcome;
      for (Entry e : ledger.entries) {
        if (e.outcome == null) {
          break;
        }
        if (!e.released) {
          e.released = true;
          sink.accept(e.outcome);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The broker acknowledged the item's output: it is done, and its budget is given back. */
  @Override
  public void acknowledge(WorkItem item) {
    lock.lock();
    try {
      Ledger ledger = ledgers.get(item.partition());
      Entry entry = ledger == null || ledger.epoch != item.epoch() ? null : ledger.byOffset.get(item.offset());
      if (entry == null || entry.acknowledged) {
        return;
      }
      entry.acknowledged = true;
      release.accept(item.takeBudgetBytes());
      while (!ledger.entries.isEmpty() && ledger.entries.peekFirst().acknowledged) {
        ledger.byOffset.remove(ledger.entries.removeFirst().item.offset());
      }
      finished.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Offsets that may be committed and were not yet: per partition, the first unacknowledged
   * record, or the offset after the last admitted one when all are done.
   */
  public Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
    lock.lock();
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (TopicPartition partition : partitions) {
        Ledger ledger = ledgers.get(partition);
        if (ledger == null || ledger.nextOffset < 0) {
          continue;
        }
        long offset = ledger.entries.isEmpty() ? ledger.nextOffset : ledger.entries.peekFirst().item.offset();
        if (offset > ledger.committed) {
          offsets.put(partition, new OffsetAndMetadata(offset));
        }
      }
      return offsets;
    } finally {
      lock.unlock();
    }
  }

  /** Notes offsets the broker has committed, so they are not offered again. */
  @Override
  public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    lock.lock();
    try {
      offsets.forEach((partition, offset) -> {
        Ledger ledger = ledgers.get(partition);
        if (ledger != null) {
          ledger.committed = Math.max(ledger.committed, offset.offset());
        }
      });
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts the partition again from its first unacknowledged record, for a replay after a failed
   * write: its unacknowledged work is abandoned (budget given back) under a new epoch. Returns the
   * offset to seek to, or -1 if nothing of the partition was admitted since it was assigned.
   */
  public long rewind(TopicPartition partition) {
    lock.lock();
    try {
      Ledger ledger = ledgers.get(partition);
      if (ledger == null || ledger.nextOffset < 0) {
        return -1;
      }
      long offset = ledger.entries.isEmpty() ? ledger.nextOffset : ledger.entries.peekFirst().item.offset();
      Ledger fresh = new Ledger(++epochs);
      fresh.committed = ledger.committed;
      ledgers.put(partition, fresh);
      abandon(ledger);
      finished.signalAll();
      return offset;
    } finally {
      lock.unlock();
    }
  }

  /** Records admitted and not yet acknowledged, in these partitions. */
  public int pending(Collection<TopicPartition> partitions) {
    lock.lock();
    try {
      int n = 0;
      for (TopicPartition partition : partitions) {
        Ledger ledger = ledgers.get(partition);
        n += ledger == null ? 0 : ledger.entries.size();
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** All records admitted and not yet acknowledged. */
  public int pending() {
    return pending(List.copyOf(partitions()));
  }

  /** Waits until nothing is pending in these partitions; false if the timeout passed first. */
  public boolean awaitFinished(Collection<TopicPartition> partitions, long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long remaining = timeoutNanos;
      while (pending(partitions) > 0) {
        if (remaining <= 0) {
          return false;
        }
        remaining = finished.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops tracking partitions (revoked or lost): their unfinished work is abandoned and its budget
   * given back. Returns the abandoned items.
   */
  public List<WorkItem> revoke(Collection<TopicPartition> partitions) {
    lock.lock();
    try {
      List<WorkItem> abandoned = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        Ledger ledger = ledgers.remove(partition);
        if (ledger != null) {
          abandoned.addAll(abandon(ledger));
        }
      }
      finished.signalAll();
      return abandoned;
    } finally {
      lock.unlock();
    }
  }

  public Collection<TopicPartition> partitions() {
    lock.lock();
    try {
      return List.copyOf(ledgers.keySet());
    } finally {
      lock.unlock();
    }
  }

  private List<WorkItem> abandon(Ledger ledger) {
    List<WorkItem> abandoned = new ArrayList<>();
    for (Entry entry : ledger.entries) {
      if (!entry.acknowledged) {
        release.accept(entry.item.takeBudgetBytes());
        abandoned.add(entry.item);
      }
    }
    ledger.entries.clear();
    ledger.byOffset.clear();
    return abandoned;
  }
}
