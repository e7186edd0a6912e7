package io.visionstream.classifier.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.model.ModelTimers;
import io.visionstream.classifier.work.StageMetrics;
import io.visionstream.schemas.ModelRef;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The classifier's meters (Prometheus names replace dots with underscores): batch sizes, batch
 * waits, inference time per batch, end-to-end latency from {@code captured_at} to the broker's
 * acknowledgement, outcomes by kind, dead letters by reason, and gauges for in-flight work, queue
 * depths and the paused state.
 */
public final class PipelineMetrics implements StageMetrics {

  public static final String PREFIX = "visionstream.classifier.";

  private final MeterRegistry registry;
  private final Clock clock;
  private final DistributionSummary batchSize;
  private final Timer batchWait;
  private final Timer inference;
  private final Timer latency;
  private final Map<Outcome.Kind, Counter> outcomes = new EnumMap<>(Outcome.Kind.class);
  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);

  public PipelineMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.batchSize = DistributionSummary.builder(PREFIX + "batch.size").description("Images per model run")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
    this.batchWait = Timer.builder(PREFIX + "batch.wait").description("Time the oldest image of a batch waited in the batcher")
        .publishPercentileHistogram().register(registry);
    this.inference = Timer.builder(PREFIX + "inference").description("Model run time per batch")
        .publishPercentileHistogram().register(registry);
    this.latency = Timer.builder(PREFIX + "latency").description("From captured_at to the prediction acknowledged by Kafka")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
    for (Outcome.Kind kind : Outcome.Kind.values()) {
      outcomes.put(kind, Counter.builder(PREFIX + "outcomes").tag("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
          .description("Records finished, by outcome").register(registry));
    }
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      deadLetters.put(reason, Counter.builder(PREFIX + "dead.letters").tag("reason", reason.name())
          .description("Records sent to the dead-letter topic, by reason").register(registry));
    }
  }

  @Override
  public void batch(int size, long waitNanos, long inferenceNanos, ModelRef model) {
    batchSize.record(size);
    batchWait.record(waitNanos, TimeUnit.NANOSECONDS);
    inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    ModelTimers.inference(registry, "primary", model).record(inferenceNanos, TimeUnit.NANOSECONDS);
  }

  /** An outcome the broker acknowledged. */
  @Override
  public void finished(Outcome outcome) {
    outcomes.get(outcome.kind()).increment();
    if (outcome.kind() == Outcome.Kind.DEAD_LETTER) {
      deadLetters.get(outcome.reason()).increment();
    } else if (outcome.item().event() != null) {
      long millis = clock.millis() - outcome.item().event().getCapturedAt().toEpochMilli();
      latency.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }
  }

  /** Registers a gauge read from {@code value}, e.g. a queue depth. */
  public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    Gauge.builder(PREFIX + name, value).description(description).tags(tags).register(registry);
  }

  public double count(Outcome.Kind kind) {
    return outcomes.get(kind).count();
  }

  public double deadLetters(DeadLetterReason reason) {
    return deadLetters.get(reason).count();
  }

  public MeterRegistry registry() {
    return registry;
  }
}
