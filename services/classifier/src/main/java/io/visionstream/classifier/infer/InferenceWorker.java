package io.visionstream.classifier.infer;

import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.FrameAge;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.Outputs;
import io.visionstream.classifier.work.Stage;
import io.visionstream.classifier.work.StageMetrics;
import io.visionstream.classifier.work.Tracking;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.ClassScores;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.PredictionStatus;
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
 */
public final class InferenceWorker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

  private final MicroBatcher<WorkItem> batcher;
  private final InferenceModel model;
  private final Outputs outputs;
  private final FrameAge frameAge;
  private final Tracking tracking;
  private final StageMetrics metrics;
  private final Faults faults;
  private final Progress progress;
  private final int topK;
  private final int size;
  private final AtomicInteger busy = new AtomicInteger();

  public InferenceWorker(MicroBatcher<WorkItem> batcher, InferenceModel model, Outputs outputs, FrameAge frameAge,
      Tracking tracking, StageMetrics metrics, Faults faults, Progress progress, int topK) {
    this.batcher = batcher;
    this.model = model;
    this.outputs = outputs;
    this.frameAge = frameAge;
    this.tracking = tracking;
    this.metrics = metrics;
    this.faults = faults;
    this.progress = progress;
    this.topK = topK;
    this.size = model.inputSize();
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
        tracking.complete(Outcome.skipped(item, outputs.prediction(item, PredictionStatus.SKIPPED_STALE, List.of(), 0, 0)));
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
      RuntimeException failure;
      try {
        classify(items, batch.oldestWaitNanos());
        faults.recovered(Stage.INFERENCE);
        return;
      } catch (RuntimeException e) {
        failure = e;
        items.forEach(item -> attempts.merge(item, 1, Integer::sum));
      }
      if (canaryPasses()) {
        log.warn("Model failed on a batch of {} ({} to {}) but runs a blank image: looking for the records it fails on",
            items.size(), items.get(0), items.get(items.size() - 1), failure);
        items = findPoison(items, attempts);
        if (items.isEmpty()) {
          faults.recovered(Stage.INFERENCE);
          return;
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
  private List<WorkItem> findPoison(List<WorkItem> items, Map<WorkItem, Integer> attempts) {
    List<WorkItem> failedAlone = new ArrayList<>();
    bisect(items, attempts, failedAlone);
    List<WorkItem> retry = new ArrayList<>();
    for (WorkItem item : failedAlone) {
      RuntimeException again;
      try {
        classify(List.of(item), 0);
        continue;
      } catch (RuntimeException e) {
        again = e;
        attempts.merge(item, 1, Integer::sum);
      }
      if (canaryPasses()) {
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

  private void bisect(List<WorkItem> items, Map<WorkItem, Integer> attempts, List<WorkItem> failedAlone) {
    if (items.size() == 1) {
      failedAlone.add(items.get(0));
      return;
    }
    int half = items.size() / 2;
    for (List<WorkItem> part : List.of(items.subList(0, half), items.subList(half, items.size()))) {
      try {
        classify(part, 0);
      } catch (RuntimeException e) {
        part.forEach(item -> attempts.merge(item, 1, Integer::sum));
        bisect(part, attempts, failedAlone);
      }
    }
  }

  /** True when the model classifies a blank image: it is working, whatever a batch failed on. */
  private boolean canaryPasses() {
    try (TFloat32 blank = TFloat32.tensorOf(Shape.of(1, size, size, 3))) {
      model.run(blank);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Runs {@code items} as one batch and finishes each with its prediction; throws if the model fails. */
  private void classify(List<WorkItem> items, long waitNanos) {
    int perImage = size * size * 3;
    BatchRunner.Scores scores;
    try (TFloat32 input = TFloat32.tensorOf(Shape.of(items.size(), size, size, 3))) {
      for (int i = 0; i < items.size(); i++) {
        input.asRawTensor().data().asFloats().offset((long) i * perImage).write(items.get(i).pixels());
      }
      scores = model.run(input);
    }
    metrics.batch(items.size(), waitNanos, scores.inferenceNanos());
    long micros = scores.inferenceNanos() / 1000;
    for (int i = 0; i < items.size(); i++) {
      List<ClassScore> top = new ArrayList<>(topK);
      for (ClassScores c : ClassScores.top(scores.probabilities()[i], topK, model.labels())) {
        top.add(new ClassScore(c.index(), c.label(), c.score()));
      }
      WorkItem item = items.get(i);
      item.pixels(null);
      tracking.complete(Outcome.classified(item, outputs.prediction(item, PredictionStatus.CLASSIFIED, top, items.size(), micros)));
    }
    progress.progressed(Stage.INFERENCE);
  }
}
