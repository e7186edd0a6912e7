package io.visionstream.classifier.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Groups items into batches for the model: {@link #next()} blocks until an item is queued, then
 * returns as soon as {@code maxBatchSize} items are queued or the oldest queued item has waited
 * {@code maxBatchWait}, whichever comes first. An item never waits longer than that for others;
 * it can wait longer only while the caller is busy running the previous batch.
 *
 * <p>Adding never blocks: the queue is bounded upstream by the in-flight budget. Time comes from
 * an injected nanosecond ticker so that tests control it. Thread-safe.
 *
 * @param <T> queued items
 */
public final class MicroBatcher<T> {

  /** A batch and how long its oldest item waited in the batcher. */
  public record Batch<T>(List<T> items, long oldestWaitNanos) {}

  private record Queued<T>(T item, long arrivedNanos) {}

  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final LongSupplier ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Queued<T>> queue = new ArrayDeque<>();
  private boolean closed;

  public MicroBatcher(int maxBatchSize, Duration maxBatchWait, LongSupplier ticker) {
    if (maxBatchSize <= 0) {
      throw new IllegalArgumentException("max batch size must be positive, got " + maxBatchSize);
    }
    this.maxBatchSize = maxBatchSize;
    this.maxWaitNanos = maxBatchWait.toNanos();
    this.ticker = ticker;
  }

  public MicroBatcher(int maxBatchSize, Duration maxBatchWait) {
    this(maxBatchSize, maxBatchWait, System::nanoTime);
  }

  /** Queues {@code item}; false (and nothing queued) once the batcher is closed. */
  public boolean offer(T item) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      queue.addLast(new Queued<>(item, ticker.getAsLong()));
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Queues {@code item}; throws once the batcher is closed. */
  public void add(T item) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("batcher is closed");
      }
      queue.addLast(new Queued<>(item, ticker.getAsLong()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next batch; blocks for the first item. After {@link #close()}, returns what is still
   * queued, then empty batches.
   */
  public Batch<T> next() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !closed) {
        changed.await();
      }
      if (queue.isEmpty()) {
        return new Batch<>(List.of(), 0);
      }
      long deadline = queue.peekFirst().arrivedNanos() + maxWaitNanos;
      while (queue.size() < maxBatchSize && !closed) {
        long remaining = deadline - ticker.getAsLong();
        if (remaining <= 0) {
          break;
        }
        changed.awaitNanos(remaining);
      }
      long oldestWait = ticker.getAsLong() - queue.peekFirst().arrivedNanos();
      List<T> items = new ArrayList<>(Math.min(maxBatchSize, queue.size()));
      while (items.size() < maxBatchSize && !queue.isEmpty()) {
        items.add(queue.removeFirst().item());
      }
      return new Batch<>(items, oldestWait);
    } finally {
      lock.unlock();
    }
  }

  /** Wakes a waiting {@link #next()} to look at the ticker again (for tests that move time). */
  public void poke() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Queued items. */
  public int depth() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** No more items will come; a waiting {@link #next()} returns what is queued. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
