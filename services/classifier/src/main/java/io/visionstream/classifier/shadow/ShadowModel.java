package io.visionstream.classifier.shadow;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.visionstream.classifier.model.ModelRefs;
import io.visionstream.classifier.model.ModelTimers;
import io.visionstream.classifier.sink.OutputRecords;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.ClassScores;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ModelRef;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * A second model run on a sample of the images the primary classified, to compare a candidate
 * with the serving model on live traffic. The inference worker hands over an image only after the
 * primary has classified it, and never waits: the shadow has its own bounded queue, and an image
 * that finds it full is shed and counted. The shadow's predictions go to their own topic, outside
 * the primary's transactions: best effort, never part of what the classifier commits (a restart
 * may repeat or miss some). Its failures are logged and counted and never touch the primary.
 *
 * <p>Metrics: {@code visionstream.shadow.images{result=predicted|shed|failed}},
 * {@code visionstream.shadow.top1{result=agree|disagree}}, {@code visionstream.shadow.top1.agreement}
 * (the share that agreed so far), {@code visionstream.shadow.queue.depth}, and
 * {@code visionstream.model.inference{role=shadow}} beside the primary's {@code role=primary}.
 */
public final class ShadowModel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ShadowModel.class);
  private static final long LOG_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  /** Where the inference worker hands images over; {@link #NONE} when no shadow runs. */
  public interface Sink {
    /** Offers {@code item}'s {@code pixels}, which {@code primary} classified as {@code primaryTop1}; never blocks. */
    void offer(WorkItem item, float[] pixels, ModelRef primary, int primaryTop1);

    Sink NONE = (item, pixels, primary, top1) -> {};
  }

  /**
   * How the shadow runs.
   *
   * @param sample share of classified images to run, in (0, 1]; chosen by event id, so the same
   *     event is always in or out of the sample
   * @param queueCapacity images waiting for the shadow before more are shed
   * @param maxBatchSize images per shadow batch
   * @param preprocessing how the images it gets were made (the primary's mode), for its predictions
   */
  public record Settings(double sample, int queueCapacity, int maxBatchSize, int topK, PreprocessingMode preprocessing) {}

  private record Task(WorkItem item, float[] pixels, ModelRef primary, int primaryTop1) {}

  private final ServingModel model;
  private final Settings settings;
  private final OutputRecords outputs;
  private final Producer<byte[], byte[]> producer;
  private final MeterRegistry registry;
  private final BlockingQueue<Task> queue;
  private final Counter predicted;
  private final Counter shed;
  private final Counter failed;
  private final Counter agree;
  private final Counter disagree;
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private final Thread thread;
  private final int size;
  private volatile boolean closed;

  public ShadowModel(ServingModel model, Settings settings, String topic, Producer<byte[], byte[]> producer,
      MeterRegistry registry, Clock clock) {
    this.model = model;
    this.settings = settings;
    // only predictions are written: dead letters stay with the primary
    this.outputs = new OutputRecords(topic, topic, () -> ModelRefs.of(model.current(), settings.preprocessing()), 1, clock);
    this.producer = producer;
    this.registry = registry;
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.size = model.current().model().preprocessing().cropSize();
    this.predicted = images("predicted");
    this.shed = images("shed");
    this.failed = images("failed");
    this.agree = Counter.builder("visionstream.shadow.top1").description("Shadow predictions whose top-1 class is the primary's")
        .tag("result", "agree").register(registry);
    this.disagree = Counter.builder("visionstream.shadow.top1").description("Shadow predictions whose top-1 class is the primary's")
        .tag("result", "disagree").register(registry);
    Gauge.builder("visionstream.shadow.top1.agreement", this, s -> s.agreement())
        .description("Share of shadow predictions whose top-1 class is the primary's (NaN before the first)").register(registry);
    Gauge.builder("visionstream.shadow.queue.depth", queue, BlockingQueue::size)
        .description("Images waiting for the shadow model").register(registry);
    this.thread = new Thread(this::run, "classifier-shadow");
    thread.setDaemon(true);
    thread.start();
  }

  private Counter images(String result) {
    return Counter.builder("visionstream.shadow.images").description("Images offered to the shadow model, by what became of them")
        .tag("result", result).register(registry);
  }

  /** True when {@code eventId} is in a sample of {@code share} of all events: the same answer every time. */
  public static boolean sampled(UUID eventId, double share) {
    long bits = eventId.getLeastSignificantBits() ^ eventId.getMostSignificantBits();
    return (bits >>> 11) * 0x1.0p-53 < share;
  }

  /** The sink the inference worker offers images to. */
  public Sink sink() {
    return (item, pixels, primary, top1) -> {
      if (closed || item.event() == null || !sampled(item.event().getEventId(), settings.sample())) {
        return;
      }
      if (!queue.offer(new Task(item, pixels, primary, top1))) {
        shed.increment();
      }
    };
  }

  /** Share of shadow predictions that agreed with the primary on the top-1 class; NaN before the first. */
  public double agreement() {
    double total = agree.count() + disagree.count();
    return total == 0 ? Double.NaN : agree.count() / total;
  }

  private void run() {
    List<Task> batch = new ArrayList<>();
    while (!closed) {
      try {
        Task first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, settings.maxBatchSize() - 1);
        classify(batch);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        failed.increment(batch.size());
        if (System.nanoTime() - lastFailureLog.get() >= LOG_EVERY_NANOS) {
          lastFailureLog.set(System.nanoTime());
          log.warn("The shadow model failed on a batch of {}; the primary is not affected (logged at most once a minute)",
              batch.size(), e);
        }
      } finally {
        batch.clear();
      }
    }
  }

  private void classify(List<Task> batch) {
    int perImage = size * size * 3;
    try (ServingModel.Lease lease = model.acquire();
        TFloat32 input = TFloat32.tensorOf(Shape.of(batch.size(), size, size, 3))) {
      for (int i = 0; i < batch.size(); i++) {
        input.asRawTensor().data().asFloats().offset((long) i * perImage).write(batch.get(i).pixels());
      }
      BatchRunner.Scores scores = lease.version().runner().run(input, false);
      ModelRef ref = ModelRefs.of(lease.version(), settings.preprocessing());
      ModelTimers.inference(registry, "shadow", ref).record(scores.inferenceNanos(), TimeUnit.NANOSECONDS);
      long micros = scores.inferenceNanos() / 1000;
      List<String> labels = lease.version().model().labels();
      for (int i = 0; i < batch.size(); i++) {
        Task task = batch.get(i);
        List<ClassScore> top = new ArrayList<>(settings.topK());
        for (ClassScores c : ClassScores.top(scores.probabilities()[i], settings.topK(), labels)) {
          top.add(new ClassScore(c.index(), c.label(), c.score()));
        }
        (top.get(0).getClassIndex() == task.primaryTop1() ? agree : disagree).increment();
        producer.send(outputs.prediction(task.item(), ref, top, batch.size(), micros), (metadata, error) -> {
          if (error == null) {
            predicted.increment();
          } else {
            failed.increment();
            if (System.nanoTime() - lastFailureLog.get() >= LOG_EVERY_NANOS) {
              lastFailureLog.set(System.nanoTime());
              log.warn("Writing a shadow prediction failed; the primary is not affected (logged at most once a minute): {}",
                  error.toString());
            }
          }
        });
      }
    }
  }

  /** Stops the shadow (what waits in its queue is dropped), then closes its producer; its model is the caller's. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
