package io.visionstream.classifier.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.commit.OffsetTracker;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.decode.DecodeStage;
import io.visionstream.classifier.infer.InferenceWorker;
import io.visionstream.classifier.sink.OutcomeSink;
import io.visionstream.classifier.sink.OutputRecords;
import io.visionstream.classifier.source.InFlightBudget;
import io.visionstream.classifier.source.PollLoop;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.schemas.ModelRef;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classifier: image events in, predictions and dead letters out. Threads: one poll thread
 * (source, backpressure, commits), decode threads, one inference worker (the model's device), one
 * sink thread. {@link #close()} drains: it stops taking records, lets admitted ones finish within
 * the shutdown timeout, commits, and releases everything; it is idempotent. A write that fails for
 * good moves the pipeline to {@link State#FAILED} and stops it without committing past the failure.
 * The model is the caller's to close, after the pipeline.
 */
public final class ClassifierPipeline implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClassifierPipeline.class);

  /** Lifecycle; moves only forward, CLOSED and FAILED are final. */
  public enum State { RUNNING, DRAINING, CLOSED, FAILED }

  private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final PipelineSettings settings;
  private final InFlightBudget budget;
  private final OffsetTracker tracker;
  private final MicroBatcher<WorkItem> batcher;
  private final ImagePreprocessor preprocessor;
  private final DecodeStage decode;
  private final OutcomeSink sink;
  private final PollLoop poll;
  private final KafkaProducer<byte[], byte[]> producer;
  private final PipelineMetrics metrics;
  private final Thread pollThread;
  private final Thread inferenceThread;
  private final Thread sinkThread;

  private ClassifierPipeline(PipelineSettings settings, KafkaClientsConfig kafka, ClassifierModel model, int topK,
      SessionSettings decodeSession, MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.metrics = new PipelineMetrics(registry, clock);
    int size = model.preprocessing().cropSize();
    long decodedBytes = (long) size * size * 3 * Float.BYTES;
    boolean exactlyOnce = settings.delivery().guarantee() == DeliveryGuarantee.EXACTLY_ONCE;
    this.budget = new InFlightBudget(settings.backpressure().maxInFlightRecords(), settings.backpressure().maxInFlightBytes(),
        settings.backpressure().resumeRatio());
    this.producer = new KafkaProducer<>(ClientProperties.producer(kafka, settings));
    if (exactlyOnce) {
      producer.initTransactions();
    }
    PollLoop[] pollRef = new PollLoop[1];
    BlockingQueue<Outcome> released = new LinkedBlockingQueue<>();
    this.tracker = new OffsetTracker(budget, released::add);
    this.sink = new OutcomeSink(released, producer, exactlyOnce, tracker, metrics, () -> pollRef[0].groupMetadata(), this::fail);
    this.batcher = new MicroBatcher<>(settings.batching().maxBatchSize(), settings.batching().maxBatchWait());
    OutputRecords outputs = new OutputRecords(settings.topics().predictions(), settings.topics().deadLetters(),
        new ModelRef(model.name(), model.version()), settings.limits().maxDeadLetterBytes(), clock);
    FrameAge frameAge = new FrameAge(settings.load(), clock);
    this.preprocessor = new ImagePreprocessor(model.preprocessing(), settings.batching().decodeBatchSize(),
        settings.limits().maxPixels(), decodeSession);
    this.decode = new DecodeStage(preprocessor, batcher, outputs, frameAge, tracker::isCurrent, tracker::complete,
        settings.batching().decodeBatchSize());
    InferenceWorker inference = new InferenceWorker(batcher, new BatchRunner(model), outputs, frameAge, tracker::isCurrent,
        tracker::complete, metrics, topK);
    Admission admission = new Admission(settings.limits().maxRecordBytes(), decodedBytes, outputs, decode, tracker);
    this.poll = new PollLoop(new KafkaConsumer<>(ClientProperties.consumer(kafka, settings)), settings.topics().input(),
        budget, tracker, admission::route, admission::cost, !exactlyOnce, settings.delivery().commitInterval(),
        settings.delivery().revocationTimeout());
    pollRef[0] = poll;
    registerGauges();
    decode.start(settings.batching().decodeThreads());
    this.inferenceThread = start("classifier-inference-0", inference);
    this.sinkThread = start("classifier-sink", sink);
    this.pollThread = start("classifier-poll", () -> {
      try {
        poll.run();
      } catch (RuntimeException e) {
        fail(e);
      }
    });
    log.info("Classifier reading {} ({} delivery, {} policy, batches of up to {} within {}), writing {} and {}",
        settings.topics().input(), settings.delivery().guarantee(), settings.load().policy(), settings.batching().maxBatchSize(),
        settings.batching().maxBatchWait(), settings.topics().predictions(), settings.topics().deadLetters());
  }

  /**
   * Checks the settings and starts the pipeline.
   *
   * @throws io.visionstream.classifier.config.InvalidSettingsException naming every bad key
   */
  public static ClassifierPipeline start(PipelineSettings settings, KafkaClientsConfig kafka, ClassifierModel model, int topK,
      SessionSettings decodeSession, MeterRegistry registry, Clock clock) {
    int size = model.preprocessing().cropSize();
    settings.validate((long) size * size * 3 * Float.BYTES);
    return new ClassifierPipeline(settings, kafka, model, topK, decodeSession, registry, clock);
  }

  private void registerGauges() {
    metrics.gauge("in.flight.records", "Records taken from Kafka and not yet written", budget::records);
    metrics.gauge("in.flight.bytes", "Bytes of records in flight, with their decoded inputs", budget::bytes);
    metrics.gauge("paused", "1 while the input partitions are paused for backpressure", () -> poll.paused() ? 1 : 0);
    metrics.gauge("queue.depth", "Items waiting in a stage's queue", decode::depth, "stage", "decode");
    metrics.gauge("queue.depth", "Items waiting in a stage's queue", batcher::depth, "stage", "batch");
    metrics.gauge("queue.depth", "Items waiting in a stage's queue", sink::depth, "stage", "sink");
  }

  private static Thread start(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** A fatal error: stop taking and writing records; nothing is committed past what was written. */
  private void fail(Throwable error) {
    if (failure.compareAndSet(null, error)) {
      log.error("Classifier pipeline failed; stopping", error);
      state.set(State.FAILED);
      poll.stop();
    }
  }

  /** Drains within the configured shutdown timeout, then stops; see the class comment. */
  @Override
  public void close() {
    close(settings.delivery().shutdownTimeout());
  }

  public void close(Duration timeout) {
    State before = state.getAndUpdate(s -> s == State.RUNNING ? State.DRAINING : s);
    if (before == State.DRAINING || before == State.CLOSED) {
      return;
    }
    boolean interrupted = false;
    long start = System.nanoTime();
    try {
      if (before == State.RUNNING) {
        poll.drain(timeout);
      }
      if (!poll.awaitFinished(timeout.plusSeconds(10))) {
        poll.stop();
        poll.awaitFinished(Duration.ofSeconds(10));
      }
      batcher.close();
      decode.stop();
      inferenceThread.join(timeout.toMillis() + 1);
      sink.stop();
      sinkThread.join(timeout.toMillis() + 1);
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      producer.close(Duration.ofSeconds(10));
      preprocessor.close();
      state.compareAndSet(State.DRAINING, State.CLOSED);
      log.info("Classifier pipeline {} after {} ms; {} records were still in flight", state.get(),
          (System.nanoTime() - start) / 1_000_000, tracker.pending());
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public State state() {
    return state.get();
  }

  /** The error that failed the pipeline, or {@code null}. */
  public Throwable failure() {
    return failure.get();
  }

  public PipelineMetrics metrics() {
    return metrics;
  }

  public InFlightBudget budget() {
    return budget;
  }

  /** {@code consumer.paused()} as of the poll thread's last poll. */
  public Set<TopicPartition> pausedPartitions() {
    return poll.pausedPartitions();
  }

  public PollLoop pollLoop() {
    return poll;
  }

  /** Records admitted and not yet written. */
  public int pending() {
    return tracker.pending();
  }
}
