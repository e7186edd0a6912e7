package io.visionstream.classifier.infer;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.FrameAge;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.Outputs;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.Stage;
import io.visionstream.classifier.work.StageMetrics;
import io.visionstream.classifier.work.Tracking;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.ClassScores;
import io.visionstream.schemas.ClassScore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Runs the model on one device: takes batches from the batcher, skips frames that went stale while
 * waiting (drop-stale), runs the rest in one session call and finishes each with its prediction.
 *
 * <p>When the model fails on a batch it tells a sick model from a poison record. It first runs a
 * canary, a blank image: if the model fails on that too, the fault is the system's, and the batch
 * is retried with backoff, never dead-lettered. If the canary passes, the batch is bisected: the
 * halves that run are finished, and an image that fails alone is tried once more alone; if it
 * fails again while the canary still passes, it is a record fault and goes to the dead-letter
 * topic with the number of attempts. Everything else waits for the retry.
 *
 * <p>Each attempt runs on the model version serving when it starts ({@link InferenceModel.Source});
 * a classified image is then offered to the shadow model, which never makes the worker wait.
 */
public final class InferenceWorker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

  private final MicroBatcher<WorkItem> batcher;
  private final InferenceModel.Source models;
  private final ShadowModel.Sink shadow;
  private final RecordTraces traces;
  private final Outputs outputs;
  private final FrameAge frameAge;
  private final Tracking tracking;
  private final StageMetrics metrics;
  private final Faults faults;
  private final Progress progress;
  private final int topK;
  private final int size;
  private final AtomicInteger busy = new AtomicInteger();

  public InferenceWorker(MicroBatcher<WorkItem> batcher, InferenceModel.Source models, ShadowModel.Sink shadow, Outputs outputs,
      FrameAge frameAge, Tracking tracking, StageMetrics metrics, Faults faults, Progress progress, int topK, int inputSize,
      RecordTraces traces) {
    this.traces = traces;
    this.batcher = batcher;
    this.models = models;
    this.shadow = shadow;
    this.outputs = outputs;
    this.frameAge = frameAge;
    this.tracking = tracking;
    this.metrics = metrics;
    this.faults = faults;
    this.progress = progress;
    this.topK = topK;
    this.size = inputSize;
  }

  /** Images waiting for the model: queued in the batcher or in the batch being run. */
  public int waiting() {
    return batcher.depth() + busy.get();
  }

  /** Runs until the batcher is closed and empty, the pipeline stops, or the thread is interrupted. */
  @Override
  public void run() {
    try {
      while (true) {
        MicroBatcher.Batch<WorkItem> batch = batcher.next();
        if (batch.items().isEmpty()) {
          return;
        }
        busy.set(batch.items().size());
        try {
          process(batch);
        } finally {
          busy.set(0);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void process(MicroBatcher.Batch<WorkItem> batch) throws InterruptedException {
    List<WorkItem> items = new ArrayList<>(batch.items().size());
    for (WorkItem item : batch.items()) {
      if (!tracking.isCurrent(item)) {
        item.pixels(null);
      } else if (frameAge.isStale(item.event())) {
        item.pixels(null);
        tracking.complete(Outcome.skipped(item, outputs.skipped(item)));
      } else {
        items.add(item);
      }
    }
    Map<WorkItem, Integer> attempts = new HashMap<>();
    while (true) {
      items.removeIf(item -> !tracking.isCurrent(item));
      if (items.isEmpty()) {
        return;
      }
      // each attempt runs on the version serving when it starts: a retry after a swap runs on the new one
      RuntimeException failure;
      try (InferenceModel.Lease model = models.acquire()) {
        try {
          classify(model, items, batch.oldestWaitNanos());
          faults.recovered(Stage.INFERENCE);
          return;
        } catch (RuntimeException e) {
          failure = e;
          items.forEach(item -> attempts.merge(item, 1, Integer::sum));
        }
        if (canaryPasses(model)) {
          log.warn("Model {} {} failed on a batch of {} ({} to {}) but runs a blank image: looking for the records it fails on",
              model.ref().getName(), model.ref().getVersion(), items.size(), items.get(0), items.get(items.size() - 1), failure);
          items = findPoison(model, items, attempts);
          if (items.isEmpty()) {
            faults.recovered(Stage.INFERENCE);
            return;
          }
        }
      }
      if (!faults.pause(faults.retrying(Stage.INFERENCE, failure))) {
        return;
      }
    }
  }

  /**
   * Bisects {@code items} (on which the batch failed while the model is well): finishes what runs,
   * dead-letters what fails alone twice while the model still runs the canary, and returns what is
   * left to retry.
   */
  private List<WorkItem> findPoison(InferenceModel.Lease model, List<WorkItem> items, Map<WorkItem, Integer> attempts) {
    List<WorkItem> failedAlone = new ArrayList<>();
    bisect(model, items, attempts, failedAlone);
    List<WorkItem> retry = new ArrayList<>();
    for (WorkItem item : failedAlone) {
      RuntimeException again;
      try {
        classify(model, List.of(item), 0);
        continue;
      } catch (RuntimeException e) {
        again = e;
        attempts.merge(item, 1, Integer::sum);
      }
      if (canaryPasses(model)) {
        int tries = attempts.get(item);
        log.warn("The model fails on {} alone ({} attempts) while it runs other images; dead-lettering it", item, tries, again);
        item.pixels(null);
        tracking.complete(Outcome.deadLetter(item, outputs.deadLetter(item, DeadLetterReason.INFERENCE_FAILED,
            "the model fails on this image alone (" + tries + " attempts) while it classifies other images: " + again,
            again, tries), DeadLetterReason.INFERENCE_FAILED));
      } else {
        retry.add(item);
      }
    }
    return retry;
  }

  private void bisect(InferenceModel.Lease model, List<WorkItem> items, Map<WorkItem, Integer> attempts,
      List<WorkItem> failedAlone) {
    if (items.size() == 1) {
      failedAlone.add(items.get(0));
      return;
    }
    int half = items.size() / 2;
    for (List<WorkItem> part : List.of(items.subList(0, half), items.subList(half, items.size()))) {
      try {
        classify(model, part, 0);
      } catch (RuntimeException e) {
        part.forEach(item -> attempts.merge(item, 1, Integer::sum));
        bisect(model, part, attempts, failedAlone);
      }
    }
  }

  /** True when the model classifies a blank image: it is working, whatever a batch failed on. */
  private boolean canaryPasses(InferenceModel.Lease model) {
    try (TFloat32 blank = TFloat32.tensorOf(Shape.of(1, size, size, 3))) {
      model.model().run(blank);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Runs {@code items} as one batch and finishes each with its prediction; throws if the model fails. */
  private void classify(InferenceModel.Lease model, List<WorkItem> items, long waitNanos) {
    int perImage = size * size * 3;
    BatchRunner.Scores scores;
    Span span = traces.batch(items, model.ref());
    try (TFloat32 input = TFloat32.tensorOf(Shape.of(items.size(), size, size, 3))) {
      for (int i = 0; i < items.size(); i++) {
        input.asRawTensor().data().asFloats().offset((long) i * perImage).write(items.get(i).pixels());
      }
      scores = model.model().run(input);
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      throw e;
    } finally {
      span.end();
    }
    metrics.batch(items.size(), waitNanos, scores.inferenceNanos(), model.ref());
    long micros = scores.inferenceNanos() / 1000;
    for (int i = 0; i < items.size(); i++) {
      List<ClassScore> top = new ArrayList<>(topK);
      for (ClassScores c : ClassScores.top(scores.probabilities()[i], topK, model.model().labels())) {
        top.add(new ClassScore(c.index(), c.label(), c.score()));
      }
      WorkItem item = items.get(i);
      shadow.offer(item, item.pixels(), model.ref(), top.get(0).getClassIndex());
      item.pixels(null);
      tracking.complete(Outcome.classified(item, outputs.prediction(item, model.ref(), top, items.size(), micros)));
    }
    progress.progressed(Stage.INFERENCE);
  }
}
