package io.visionstream.classifier.pipeline;

import io.micrometer.core.instrument.FunctionCounter;
import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.decode.DecodeStage;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.sink.OutcomeSink;
import io.visionstream.classifier.source.InFlightBudget;
import io.visionstream.classifier.source.PollLoop;
import io.visionstream.classifier.work.WorkItem;
import java.util.function.Supplier;

/**
 * The pipeline's gauges: in-flight work, pauses, queue depths, retrying and failed. Registered
 * when the pipeline is made; the stages built later at start-up read as 0 until they exist.
 */
final class PipelineGauges {

  private PipelineGauges() {}

  static void register(PipelineMetrics metrics, InFlightBudget budget, MicroBatcher<WorkItem> batcher, Lifecycle lifecycle,
      Faults faults, Supplier<PollLoop> poll, Supplier<DecodeStage> decode, Supplier<OutcomeSink> sink) {
    metrics.gauge("in.flight.records", "Records taken from Kafka and not yet written", budget::records);
    metrics.gauge("in.flight.bytes", "Bytes of records in flight, with their decoded inputs", budget::bytes);
    metrics.gauge("paused", "1 while the input partitions are paused (backpressure or a fault being retried)",
        () -> poll.get() != null && poll.get().paused() ? 1 : 0);
    metrics.gauge("queue.depth", "Items waiting in a stage's queue", () -> decode.get() == null ? 0 : decode.get().depth(),
        "stage", "decode");
    metrics.gauge("queue.depth", "Items waiting in a stage's queue", batcher::depth, "stage", "batch");
    metrics.gauge("queue.depth", "Items waiting in a stage's queue", () -> sink.get() == null ? 0 : sink.get().depth(),
        "stage", "sink");
    metrics.gauge("retrying", "1 while a stage is retrying a system fault", () -> lifecycle.state() == State.RETRYING ? 1 : 0);
    metrics.gauge("failed", "1 once the pipeline has failed (the process exits)", () -> lifecycle.state() == State.FAILED ? 1 : 0);
    FunctionCounter.builder(PipelineMetrics.PREFIX + "fault.retries", faults, Faults::retries)
        .description("Retries after system faults, all stages").register(metrics.registry());
  }
}
