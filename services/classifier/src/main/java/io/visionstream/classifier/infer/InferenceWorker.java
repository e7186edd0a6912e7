package io.visionstream.classifier.infer;

import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.pipeline.DeadLetterReason;
import io.visionstream.classifier.pipeline.FrameAge;
import io.visionstream.classifier.pipeline.Outcome;
import io.visionstream.classifier.pipeline.PipelineMetrics;
import io.visionstream.classifier.pipeline.WorkItem;
import io.visionstream.classifier.sink.OutputRecords;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.ClassScores;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.PredictionStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Runs the model on one device: takes batches from the batcher, skips frames that went stale while
 * waiting (drop-stale), runs the rest in one session call and finishes each with its prediction.
 * If the model fails on a batch, each of its images goes to the dead-letter topic with the cause.
 */
public final class InferenceWorker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

  private final MicroBatcher<WorkItem> batcher;
  private final BatchRunner runner;
  private final OutputRecords outputs;
  private final FrameAge frameAge;
  private final Predicate<WorkItem> current;
  private final Consumer<Outcome> finish;
  private final PipelineMetrics metrics;
  private final int topK;
  private final List<String> labels;
  private final int size;

  public InferenceWorker(MicroBatcher<WorkItem> batcher, BatchRunner runner, OutputRecords outputs, FrameAge frameAge,
      Predicate<WorkItem> current, Consumer<Outcome> finish, PipelineMetrics metrics, int topK) {
    this.batcher = batcher;
    this.runner = runner;
    this.outputs = outputs;
    this.frameAge = frameAge;
    this.current = current;
    this.finish = finish;
    this.metrics = metrics;
    this.topK = topK;
    this.labels = runner.model().labels();
    this.size = runner.model().preprocessing().cropSize();
  }

  /** Runs until the batcher is closed and empty, or the thread is interrupted. */
  @Override
  public void run() {
    try {
      while (true) {
        MicroBatcher.Batch<WorkItem> batch = batcher.next();
        if (batch.items().isEmpty()) {
          return;
        }
        process(batch);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void process(MicroBatcher.Batch<WorkItem> batch) {
    List<WorkItem> items = new ArrayList<>(batch.items().size());
    for (WorkItem item : batch.items()) {
      if (!current.test(item)) {
        item.pixels(null);
      } else if (frameAge.isStale(item.event())) {
        item.pixels(null);
        finish.accept(Outcome.skipped(item, outputs.prediction(item, PredictionStatus.SKIPPED_STALE, List.of(), 0, 0)));
      } else {
        items.add(item);
      }
    }
    if (items.isEmpty()) {
      return;
    }
    int perImage = size * size * 3;
    BatchRunner.Scores scores;
    try (TFloat32 input = TFloat32.tensorOf(Shape.of(items.size(), size, size, 3))) {
      for (int i = 0; i < items.size(); i++) {
        input.asRawTensor().data().asFloats().offset((long) i * perImage).write(items.get(i).pixels());
        items.get(i).pixels(null);
      }
      scores = runner.run(input, false);
    } catch (RuntimeException e) {
      log.error("Model failed on a batch of {} ({} to {}); its images go to the dead-letter topic", items.size(),
          items.get(0), items.get(items.size() - 1), e);
      for (WorkItem item : items) {
        finish.accept(Outcome.deadLetter(item, outputs.deadLetter(item, DeadLetterReason.INFERENCE_FAILED,
            "model failed on a batch of " + items.size() + ": " + e, e), DeadLetterReason.INFERENCE_FAILED));
      }
      return;
    }
    metrics.batch(items.size(), batch.oldestWaitNanos(), scores.inferenceNanos());
    long micros = scores.inferenceNanos() / 1000;
    for (int i = 0; i < items.size(); i++) {
      List<ClassScore> top = new ArrayList<>(topK);
      for (ClassScores c : ClassScores.top(scores.probabilities()[i], topK, labels)) {
        top.add(new ClassScore(c.index(), c.label(), c.score()));
      }
      WorkItem item = items.get(i);
      finish.accept(Outcome.classified(item, outputs.prediction(item, PredictionStatus.CLASSIFIED, top, items.size(), micros)));
    }
  }
}
