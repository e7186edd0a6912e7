package io.visionstream.classifier.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.commit.OffsetTracker;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.decode.DecodeStage;
import io.visionstream.classifier.fault.Backoff;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.infer.InferenceModel;
import io.visionstream.classifier.infer.InferenceWorker;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.lifecycle.Supervisor;
import io.visionstream.classifier.lifecycle.Watchdog;
import io.visionstream.classifier.model.ModelRefs;
import io.visionstream.classifier.sink.OutcomeSink;
import io.visionstream.classifier.sink.OutputRecords;
import io.visionstream.classifier.source.Admission;
import io.visionstream.classifier.source.InFlightBudget;
import io.visionstream.classifier.source.PollLoop;
import io.visionstream.classifier.work.FrameAge;
import io.visionstream.classifier.work.GroupMembership;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.Stage;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.service.KafkaAccess;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classifier: image events in, predictions and dead letters out. Threads, all under one
 * {@link Supervisor}: a start-up task, one poll thread (source, backpressure, commits), decode
 * threads, one inference worker (the model's device), one sink thread and a {@link Watchdog}.
 *
 * <p>{@link #start} checks the settings before any resource exists and returns at once, STARTING:
 * the start-up task waits for the brokers (up to {@code delivery.startup-timeout}, then FAILED),
 * opens the clients and starts the stages; a failure part-way releases everything made so far.
 * System faults are retried ({@link Faults}); a fault that outlasts the give-up time, a stalled
 * stage or any throw in a thread moves the pipeline to FAILED and stops it without committing past
 * unfinished work. {@link #close()} drains within the shutdown timeout, releases everything, is
 * idempotent and callable from any thread, and never starts anything. The model is the caller's
 * to close, after the pipeline; each batch runs on the version serving when it starts.
 */
public final class ClassifierPipeline implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClassifierPipeline.class);

  /**
   * Replacements for parts of the pipeline, for fault-injection tests: the model and the producer
   * are wrapped by these before use.
   */
  public record Overrides(UnaryOperator<InferenceModel> model, UnaryOperator<Producer<byte[], byte[]>> producer) {
    public static final Overrides NONE = new Overrides(UnaryOperator.identity(), UnaryOperator.identity());
  }

  private final PipelineSettings settings;
  private final Lifecycle lifecycle = new Lifecycle();
  private final Supervisor supervisor = new Supervisor(lifecycle);
  private final Faults faults;
  private final Progress progress = new Progress(System::nanoTime);
  private final Watchdog watchdog;
  private final PipelineMetrics metrics;
  private final InFlightBudget budget;
  private final OffsetTracker tracker;
  private final MicroBatcher<WorkItem> batcher;
  private final BrokerCheck brokers;
  private final Parts parts;
  private final Object resources = new Object();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Thread startThread;
  private boolean released;

  private ClassifierPipeline(PipelineSettings settings, Map<String, Object> consumerConfig, Map<String, Object> producerConfig,
      ServingModel model, PipelineOptions options, int topK, SessionSettings decodeSession, MeterRegistry registry, Clock clock,
      Overrides overrides) {
    this.settings = settings;
    this.metrics = new PipelineMetrics(registry, clock);
    KafkaAccess access = new KafkaAccess(consumerConfig, settings.delivery().groupId(),
        (String) producerConfig.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG));
    this.faults = new Faults(lifecycle, new Backoff(settings.faults().initialBackoff(), settings.faults().maxBackoff(),
        ThreadLocalRandom.current()), settings.faults().giveUpAfter(), System::nanoTime, access::explain);
    // an outage past faults.give-up-after fails the pipeline even when its stage does not fail again
    this.watchdog = new Watchdog(lifecycle, progress, settings.faults().stallTimeout(), faults::expire);
    this.budget = new InFlightBudget(settings.backpressure().maxInFlightRecords(), settings.backpressure().maxInFlightBytes(),
        settings.backpressure().resumeRatio());
    BlockingQueue<Outcome> released = new LinkedBlockingQueue<>();
    this.tracker = new OffsetTracker(budget::release, released::add);
    this.batcher = new MicroBatcher<>(settings.batching().maxBatchSize(), settings.batching().maxBatchWait());
    this.brokers = new BrokerCheck(consumerConfig, settings.delivery().startupTimeout(), access);
    this.parts = new Parts();
    lifecycle.onFailure(this::stopStages);
    PipelineGauges.register(metrics, budget, batcher, lifecycle, faults, () -> parts.poll, () -> parts.decode,
        () -> parts.sink);
    lifecycle.moveTo(State.STARTING);
    StartPlan plan = new StartPlan(consumerConfig, producerConfig, model, options, topK, decodeSession, released, clock, overrides);
    startThread = supervisor.startTask("classifier-start", () -> startUp(plan));
  }

  /**
   * Checks the settings, then starts the pipeline in the background; it is STARTING until the
   * brokers answer and the stages run. Every version {@code model} serves has the preprocessing
   * of the one serving now ({@link io.visionstream.model.serving.ModelCheck}).
   *
   * @param overrides {@link Overrides#NONE}, or parts replaced for a fault-injection test
   * @throws io.visionstream.classifier.config.InvalidSettingsException naming every bad key, before anything is created
   */
  public static ClassifierPipeline start(PipelineSettings settings, KafkaClientsConfig kafka, ServingModel model,
      PipelineOptions options, int topK, SessionSettings decodeSession, MeterRegistry registry, Clock clock,
      Overrides overrides) {
    int size = model.current().model().preprocessing().cropSize();
    settings.validate((long) size * size * 3 * Float.BYTES);
    Map<String, Object> consumer = ClientProperties.consumer(kafka, settings);
    Map<String, Object> producer = ClientProperties.producer(kafka, settings);
    return new ClassifierPipeline(settings, consumer, producer, model, options, topK, decodeSession, registry, clock, overrides);
  }

  /** The start-up task: brokers, clients, stages; releases what it made if any step fails. */
  private void startUp(StartPlan plan) {
    try {
      if (!brokers.await(lifecycle)) {
        return; // closed while waiting
      }
      synchronized (resources) {
        if (lifecycle.state() != State.STARTING) {
          return;
        }
        build(plan);
      }
      if (lifecycle.moveTo(State.RUNNING)) {
        log.info("Classifier reading {} ({} delivery, {} policy, batches of up to {} within {}), writing {} and {}",
            settings.topics().input(), settings.delivery().guarantee(), settings.load().policy(),
            settings.batching().maxBatchSize(), settings.batching().maxBatchWait(), settings.topics().predictions(),
            settings.topics().deadLetters());
      }
    } catch (RuntimeException e) {
      release();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void build(StartPlan plan) {
    boolean exactlyOnce = settings.delivery().guarantee() == DeliveryGuarantee.EXACTLY_ONCE;
    PipelineOptions options = plan.options();
    Preprocessing preprocessing = plan.model().current().model().preprocessing();
    int size = preprocessing.cropSize();
    OutputRecords outputs = new OutputRecords(settings.topics().predictions(), settings.topics().deadLetters(),
        () -> ModelRefs.of(plan.model().current(), options.preprocessing()), settings.limits().maxDeadLetterBytes(),
        plan.clock());
    FrameAge frameAge = new FrameAge(settings.load(), plan.clock());
    GroupMembership membership = new GroupMembership();
    parts.preprocessor = new ImagePreprocessor(preprocessing, options.preprocessing(), settings.batching().decodeBatchSize(),
        settings.limits().maxPixels(), plan.decodeSession());
    RecordTraces traces = new RecordTraces(options.tracing());
    parts.decode = new DecodeStage(parts.preprocessor::run, size, batcher::offer, outputs, frameAge, tracker, faults, progress,
        settings.batching().decodeBatchSize(), budget::releaseBytes, traces);
    parts.inference = new InferenceWorker(batcher, InferenceModel.Source.of(plan.model(), options.preprocessing(),
        plan.overrides().model()), options.shadow(), outputs, frameAge, tracker, metrics, faults, progress, plan.topK(), size,
        traces);
    Admission admission = new Admission(settings.limits().maxRecordBytes(), settings.limits().maxPixels(), preprocessing,
        options.preprocessing(), outputs, parts.decode::submit, tracker, traces);
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(plan.consumerConfig());
    // the consumer's own metrics, consumer lag (kafka_consumer_fetch_manager_records_lag*) among them
    parts.consumerMetrics = new KafkaClientMetrics(consumer, Tags.of("client", "classifier"));
    parts.consumerMetrics.bindTo(metrics.registry());
    parts.poll = new PollLoop(consumer, new PollLoop.Settings(settings.topics().input(), !exactlyOnce,
        settings.delivery().commitInterval(), settings.delivery().revocationTimeout()), budget, tracker, admission, membership,
        lifecycle, faults, progress);
    parts.sink = new OutcomeSink(plan.released(), () -> {
      Producer<byte[], byte[]> producer = plan.overrides().producer().apply(new KafkaProducer<>(plan.producerConfig()));
      if (exactlyOnce) {
        producer.initTransactions();
      }
      return producer;
    }, exactlyOnce, tracker, metrics, membership, parts.poll, faults, progress);
    parts.sink.open();
    progress.waiting(Stage.DECODE, parts.decode::waiting);
    progress.waiting(Stage.INFERENCE, parts.inference::waiting);
    progress.waiting(Stage.SINK, parts.sink::waiting);
    for (int i = 0; i < settings.batching().decodeThreads(); i++) {
      supervisor.start("classifier-decode-" + i, parts.decode);
    }
    supervisor.start("classifier-inference-0", parts.inference);
    supervisor.start("classifier-sink", parts.sink);
    supervisor.start("classifier-poll", parts.poll);
    supervisor.start("classifier-watchdog", watchdog::run);
  }

  /**
   * On FAILED, and first when releasing: stop taking and writing records; nothing is committed past
   * unfinished work. Threads waiting for work stay until {@link #close()} releases them.
   */
  private void stopStages() {
    faults.wake();
    batcher.close();
    PollLoop poll = parts.poll;
    if (poll != null) {
      poll.stop();
    }
    OutcomeSink sink = parts.sink;
    if (sink != null) {
      sink.stop();
    }
  }

  /** Drains within the configured shutdown timeout, then releases everything; see the class comment. */
  @Override
  public void close() {
    close(settings.delivery().shutdownTimeout());
  }

  public void close(Duration timeout) {
    if (!closing.compareAndSet(false, true)) {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    boolean interrupted = false;
    State before = lifecycle.state();
    try {
      if (before == State.CREATED) {
        lifecycle.moveTo(State.CLOSED);
      } else if (lifecycle.moveTo(State.DRAINING)) {
        faults.wake();
        drain(deadline);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      release();
      lifecycle.moveTo(State.CLOSED);
      log.info("Classifier pipeline {} after {} ms; {} records were still in flight", lifecycle.state(),
          (System.nanoTime() - start) / 1_000_000, tracker.pending());
      closed.countDown();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Lets admitted work finish and be written until {@code deadline}, then stops the stages. */
  private void drain(long deadline) throws InterruptedException {
    Thread starting = startThread;
    if (starting != null) {
      starting.join(Math.max(1, remainingMillis(deadline)));
    }
    PollLoop poll = parts.poll;
    if (poll != null) {
      poll.drain(Duration.ofMillis(remainingMillis(deadline)), Duration.ofMillis(remainingMillis(deadline) + 5000));
      poll.awaitFinished(Duration.ofMillis(remainingMillis(deadline) + 6000));
    }
    batcher.close();
    OutcomeSink sink = parts.sink;
    if (sink != null) {
      long waitForSink = System.nanoTime() + Duration.ofMillis(remainingMillis(deadline)).toNanos();
      while (sink.waiting() > 0 && System.nanoTime() < waitForSink) {
        Thread.sleep(20);
      }
      sink.stop();
    }
  }

  /** Stops every thread and closes every client and session made so far; runs once. */
  private void release() {
    synchronized (resources) {
      if (released) {
        return;
      }
      released = true;
    }
    stopStages();
    supervisor.interruptAll();
    try {
      if (parts.poll != null) {
        parts.poll.awaitFinished(Duration.ofSeconds(10));
      }
      if (!supervisor.joinAll(Duration.ofSeconds(10))) {
        log.warn("Threads still running after close: {}", supervisor.alive());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (parts.sink != null) {
      parts.sink.close(Duration.ofSeconds(5));
    }
    if (parts.preprocessor != null) {
      parts.preprocessor.close();
    }
    if (parts.consumerMetrics != null) {
      parts.consumerMetrics.close();
    }
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  public State state() {
    return lifecycle.state();
  }

  /** The error that failed the pipeline, or {@code null}. */
  public Throwable failure() {
    return lifecycle.failure();
  }

  /** Waits until the pipeline is CLOSED or FAILED; false if the timeout passed first. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return lifecycle.awaitEnd(timeout);
  }

  /** Stages retrying a system fault: for how long, and what they last failed with (naming a refused principal). */
  public Map<Stage, Faults.Failing> outages() {
    return faults.outages();
  }

  /** While STARTING: why the brokers have not answered yet (null when they have not been asked or answered). */
  public String startupProblem() {
    return brokers.problem();
  }

  /** Names of the pipeline's threads still alive. */
  public List<String> liveThreads() {
    return supervisor.alive();
  }

  /** The settings it runs with (checked at start). */
  public PipelineSettings settings() {
    return settings;
  }

  public PipelineMetrics metrics() {
    return metrics;
  }

  public InFlightBudget budget() {
    return budget;
  }

  /** {@code consumer.paused()} as of the poll thread's last poll (empty before it runs). */
  public Set<TopicPartition> pausedPartitions() {
    PollLoop poll = parts.poll;
    return poll == null ? Set.of() : poll.pausedPartitions();
  }

  /** The poll loop, or null before start-up has created it. */
  public PollLoop pollLoop() {
    return parts.poll;
  }

  /** Records admitted and not yet written. */
  public int pending() {
    return tracker.pending();
  }
}
