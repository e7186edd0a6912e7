package io.visionstream.classifier.work;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.visionstream.schemas.ModelRef;
import io.visionstream.service.tracing.Tracing;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;

/**
 * The classifier's spans, when tracing is on. Each record gets a span from admission until the
 * broker has its outcome ({@code classify}), a child of the trace context in the event's headers;
 * its stages are child spans ({@code decode}); each model batch is one {@code inference} span,
 * linked to the span of every record in it. The prediction's headers carry the record's span, so
 * moderation continues the trace. With tracing off, nothing is made and no header is touched.
 */
public final class RecordTraces {

  public static final RecordTraces OFF = new RecordTraces(Tracing.OFF);

  private final Tracing tracing;

  public RecordTraces(Tracing tracing) {
    this.tracing = tracing;
  }

  /** Starts the record's span, under the context its headers carry. */
  public void admitted(WorkItem item) {
    if (!tracing.enabled()) {
      return;
    }
    Span span = tracing.tracer().spanBuilder("classify " + item.record().topic())
        .setParent(tracing.extract(item.record().headers()))
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.operation.type", "process")
        .setAttribute("messaging.destination.name", item.record().topic())
        .setAttribute("messaging.destination.partition.id", Integer.toString(item.record().partition()))
        .setAttribute("messaging.kafka.offset", item.record().offset())
        .startSpan();
    item.span(span);
  }

  /** The record's {@code decode} span, from {@code start} until now. */
  public void decoded(WorkItem item, Instant start) {
    if (!tracing.enabled() || item.span() == null) {
      return;
    }
    SpanBuilder builder = tracing.tracer().spanBuilder("decode").setParent(Context.root().with(item.span()))
        .setStartTimestamp(start);
    if (item.event() != null) {
      builder.setAttribute("visionstream.event_id", item.event().getEventId().toString());
    }
    builder.startSpan().end();
  }

  /** Starts the span of a model batch, linked to each record's span; the caller ends it. */
  public Span batch(List<WorkItem> items, ModelRef model) {
    if (!tracing.enabled()) {
      return Span.getInvalid();
    }
    SpanBuilder builder = tracing.tracer().spanBuilder("inference").setNoParent()
        .setAttribute("visionstream.batch.size", (long) items.size())
        .setAttribute("visionstream.model.name", model.getName())
        .setAttribute("visionstream.model.version", model.getVersion());
    for (WorkItem item : items) {
      if (item.span() != null) {
        builder.addLink(item.span().getSpanContext());
      }
    }
    return builder.startSpan();
  }

  /** Writes the record's span, if it has one, into {@code headers} (of its prediction). */
  public static void inject(WorkItem item, Headers headers) {
    if (item.span() != null) {
      Tracing.inject(item.span(), headers);
    }
  }

  /** Ends the record's span, if it has one, once the broker has its outcome. */
  public static void finished(Outcome outcome) {
    Span span = outcome.item().span();
    if (span == null) {
      return;
    }
    if (outcome.item().event() != null) {
      span.setAttribute("visionstream.event_id", outcome.item().event().getEventId().toString());
    }
    span.setAttribute("visionstream.outcome", outcome.kind().name());
    span.end();
  }

  /** {@link Instant#now()} when tracing is on, for a stage's start; null otherwise. */
  public Instant now() {
    return tracing.enabled() ? Instant.now() : null;
  }
}
