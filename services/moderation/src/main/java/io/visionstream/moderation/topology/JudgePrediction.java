package io.visionstream.moderation.topology;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.moderation.policy.PolicyEvents;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.service.tracing.Tracing;
import java.time.Clock;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses and judges a prediction. An unreadable one becomes a dead letter (it names no upload);
 * a readable one always gets a decision: if judging it fails, it goes to review with the error in
 * its note, never to a dead-letter topic and never to ALLOW.
 */
final class JudgePrediction extends PolicyJudge {

  private static final Logger LOG = LoggerFactory.getLogger(JudgePrediction.class);

  private final Deserializer<Prediction> predictions = AvroSerdes.prediction().deserializer();
  private final PolicyEvents events;
  private final Tracing tracing;
  private final BiFunction<Prediction, Found, ModerationDecision> judge;

  JudgePrediction(Clock clock, PolicyEvents events, Tracing tracing) {
    this(clock, events, tracing, null);
  }

  /** With {@code judge} in place of {@link PolicyEvaluator#decide} (tests); null for the evaluator. */
  JudgePrediction(Clock clock, PolicyEvents events, Tracing tracing, BiFunction<Prediction, Found, ModerationDecision> judge) {
    super(clock);
    this.events = events;
    this.tracing = tracing;
    this.judge = judge != null ? judge
        : (prediction, found) -> PolicyEvaluator.decide(prediction, found.policy(), found.key(), clock.instant());
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    Outcome<Prediction> parsed = ParsePrediction.parse(record, context, predictions);
    if (parsed.isDead()) {
      context.forward(record.withValue(new Outcome<>(null, parsed.deadLetter(), parsed.deadLetterHeaders())));
      return;
    }
    Prediction prediction = parsed.value();
    Span span = startSpan(record, prediction);
    try {
      judge(record, prediction, span);
    } finally {
      span.end();
    }
  }

  /**
   * The span of judging {@code prediction}, a child of the trace context in its headers (the
   * classifier's span of the image); its own context replaces that one in the decision's headers.
   */
  private Span startSpan(FixedKeyRecord<String, byte[]> record, Prediction prediction) {
    if (!tracing.enabled()) {
      return Span.getInvalid();
    }
    Span span = tracing.tracer().spanBuilder("judge " + context.recordMetadata().map(m -> m.topic()).orElse("prediction"))
        .setParent(tracing.extract(record.headers()))
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("visionstream.event_id", prediction.getEventId().toString())
        .setAttribute("visionstream.source_id", prediction.getSourceId())
        .startSpan();
    Tracing.inject(span, record.headers());
    return span;
  }

  private void judge(FixedKeyRecord<String, byte[]> record, Prediction prediction, Span span) {
    Found found = lookup(prediction.getSourceId());
    ModerationDecision decision;
    try {
      decision = judge.apply(prediction, found);
    } catch (RuntimeException e) {
      LOG.error("Judging event {} of source {} at {} by policy {} failed; it goes to review", prediction.getEventId(),
          prediction.getSourceId(), location(), found.key(), e);
      events.judgingFailed();
      decision = PolicyEvaluator.judgingFailed(prediction, found.policy(), found.key(), e, clock.instant());
    }
    span.setAttribute("visionstream.verdict", decision.getVerdict().name());
    context.forward(record.withValue(Outcome.of(decision)));
  }
}
