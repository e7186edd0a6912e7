package io.visionstream.model.serving;

import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.savedmodel.ClassifierModel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The model serving now, swappable between batches. A batch {@link #acquire() leases} the current
 * version and runs on it to the end even if another version is swapped in meanwhile; a replaced
 * version is closed when its last lease is released, so its native memory goes back as soon as no
 * batch uses it. Closing happens on a thread of its own: the batch that lets go of a version goes
 * straight on to the next. Thread-safe.
 */
public final class ServingModel implements AutoCloseable {

  /**
   * One loaded version.
   *
   * @param version what predictions name it by: the version directory's number, or the metadata's
   *     version for a single SavedModel directory
   */
  public record Version(ClassifierModel model, BatchRunner runner, String version, Path dir) {
    public Version {
      Objects.requireNonNull(model);
      Objects.requireNonNull(runner);
      Objects.requireNonNull(version);
    }

    /** A version of {@code model}. */
    public static Version of(ClassifierModel model, String version, Path dir) {
      return new Version(model, new BatchRunner(model), version, dir);
    }

    public String name() {
      return model.name();
    }
  }

  /** One batch's hold on a version; release it when the batch is done. */
  public final class Lease implements AutoCloseable {
    private final Slot slot;
    private boolean released;

    private Lease(Slot slot) {
      this.slot = slot;
    }

    public Version version() {
      return slot.version;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        release(slot);
      }
    }
  }

  private static final class Slot {
    final Version version;
    final boolean owned;
    int leases;
    boolean retired;

    Slot(Version version, boolean owned) {
      this.version = version;
      this.owned = owned;
    }
  }

  private final ExecutorService closer = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "model-closer");
    thread.setDaemon(true);
    return thread;
  });
  private Slot current;
  private boolean closed;
  private int open = 1;

  private ServingModel(Version first, boolean owned) {
    this.current = new Slot(first, owned);
  }

  /** Serves {@code first}; closes it and every later version when replaced or closed. */
  public static ServingModel serving(Version first) {
    return new ServingModel(first, true);
  }

  /** Serves {@code model} alone, never closing it: the caller owns it (tests, the model tools). */
  public static ServingModel fixed(ClassifierModel model) {
    return new ServingModel(Version.of(model, model.version(), null), false);
  }

  /** The version serving now, held until the lease is closed. */
  public synchronized Lease acquire() {
    if (closed) {
      throw new IllegalStateException("the serving model is closed");
    }
    current.leases++;
    return new Lease(current);
  }

  /** The version serving now (for reports; a batch must {@link #acquire()} it). */
  public synchronized Version current() {
    return current.version;
  }

  /**
   * Serves {@code next} from the next {@link #acquire()} on; the version it replaces closes once its
   * last lease is released (at once if none is held).
   */
  public void swap(Version next) {
    Slot retire;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the serving model is closed");
      }
      retire = current;
      current = new Slot(next, true);
      open++;
      retire.retired = true;
      if (retire.leases > 0) {
        retire = null;
      }
    }
    if (retire != null) {
      closeLater(retire);
    }
  }

  private void release(Slot slot) {
    synchronized (this) {
      if (--slot.leases > 0 || !slot.retired) {
        return;
      }
    }
    closeLater(slot);
  }

  private void closeLater(Slot slot) {
    try {
      closer.execute(() -> closeVersion(slot));
    } catch (RejectedExecutionException e) {
      closeVersion(slot); // closing down: close it here
    }
  }

  private void closeVersion(Slot slot) {
    if (slot.owned) {
      slot.version.model().close();
    }
    synchronized (this) {
      open--;
    }
  }

  /** Versions loaded and not yet closed: the serving one, and replaced ones that a batch still holds. */
  public synchronized int openVersions() {
    return open;
  }

  /** Closes the current version (when owned) once replaced versions are closed; call after the last batch. */
  @Override
  public void close() {
    Slot last;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      last = current;
      last.retired = true;
      if (last.leases > 0) {
        last = null;
      }
    }
    closer.shutdown();
    try {
      closer.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (last != null) {
      closeVersion(last);
    }
  }
}
