package io.visionstream.classifier.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs every thread the pipeline owns. A thread that throws anything (an Error included), or
 * returns while the pipeline is not stopping, fails the pipeline with the thread's name and cause:
 * no thread dies silently.
 */
public final class Supervisor {

  /** A supervised thread ended the pipeline. */
  public static final class ThreadFailedException extends RuntimeException {
    ThreadFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Lifecycle lifecycle;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  public Supervisor(Lifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  /** Starts a thread that runs for the pipeline's lifetime. */
  public Thread start(String name, Runnable body) {
    return start(name, body, false);
  }

  /** Starts a thread that does one job and ends (e.g. start-up); only a throw fails the pipeline. */
  public Thread startTask(String name, Runnable body) {
    return start(name, body, true);
  }

  private Thread start(String name, Runnable body, boolean endsOnItsOwn) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
        if (!endsOnItsOwn && !lifecycle.state().isStopping() && !Thread.currentThread().isInterrupted()) {
          lifecycle.fail(new ThreadFailedException("thread " + name + " ended while the pipeline was "
              + lifecycle.state(), null));
        }
      } catch (Throwable t) {
        lifecycle.fail(new ThreadFailedException("thread " + name + " failed: " + t, t));
      }
    }, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
    return thread;
  }

  /** Interrupts every thread still alive. */
  public void interruptAll() {
    threads.forEach(Thread::interrupt);
  }

  /** Waits for every thread to end, up to {@code timeout} in all; true if they all did. */
  public boolean joinAll(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0 && thread != Thread.currentThread()) {
        TimeUnit.NANOSECONDS.timedJoin(thread, left);
      }
    }
    return alive().isEmpty();
  }

  /** Names of the threads still alive. */
  public List<String> alive() {
    return threads.stream().filter(Thread::isAlive).filter(t -> t != Thread.currentThread()).map(Thread::getName).toList();
  }
}
