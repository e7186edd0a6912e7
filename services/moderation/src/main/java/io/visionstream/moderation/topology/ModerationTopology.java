package io.visionstream.moderation.topology;

import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Predictions → moderation decisions. Policies are a global table of the compacted policies
 * topic (every instance holds all of them; they are small), looked up by the prediction's source
 * id, then {@code __default__}, then the built-in review-everything policy. A policy update
 * applies to every prediction processed after the update reached the table. Images the
 * classifier dead-lettered get a NOT_CLASSIFIED decision too, so every upload is judged.
 * Unreadable predictions, and records whose judging fails, go to this service's dead-letter topic
 * with the original bytes; the stream goes on.
 */
public final class ModerationTopology {

  /** Name of the global policy store. */
  public static final String POLICY_STORE = "moderation-policies-store";
  static final String JUDGING_FAILED = "JUDGING_FAILED";

  /** The topics the moderation topology reads and writes; {@code classifierDeadLetters} may be null. */
  public record Topics(String predictions, String policies, String decisions, String review, String deadLetters,
      String classifierDeadLetters) {}

  private ModerationTopology() {}

  /** Adds the moderation topology to {@code builder}; returns the stream of decisions. */
  public static KStream<String, ModerationDecision> build(StreamsBuilder builder, Topics topics, Clock clock) {
    builder.globalTable(topics.policies(), Consumed.with(Serdes.String(), AvroSerdes.of(ModerationPolicy.class))
        .withName("policies"), Materialized.<String, ModerationPolicy, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(POLICY_STORE)
        .withKeySerde(Serdes.String()).withValueSerde(AvroSerdes.of(ModerationPolicy.class)));
    KStream<String, Outcome<ModerationDecision>> judged = builder
        .stream(topics.predictions(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("predictions"))
        .processValues(() -> new JudgePrediction(clock), Named.as("judge-prediction"));
    if (topics.classifierDeadLetters() != null) {
      judged = judged.merge(builder.stream(topics.classifierDeadLetters(), Consumed.with(Serdes.String(), Serdes.ByteArray())
          .withName("classifier-dead-letters"))
          .processValues(() -> new JudgeDeadLetter(clock), Named.as("judge-dead-letter")), Named.as("all-judged"));
    }
    judged.filter((k, o) -> o.isDead(), Named.as("dead")).processValues(ToDeadLetter::new, Named.as("dead-headers"))
        .to(topics.deadLetters(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dead-letters"));
    KStream<String, ModerationDecision> decisions = judged.filter((k, o) -> !o.isDead(), Named.as("judged-ok"))
        .mapValues(Outcome::value, Named.as("decision"));
    decisions.to(topics.decisions(), Produced.with(Serdes.String(), AvroSerdes.of(ModerationDecision.class))
        .withName("decisions"));
    decisions.filter((k, d) -> d.getVerdict() != Verdict.ALLOW, Named.as("needs-review"))
        .to(topics.review(), Produced.with(Serdes.String(), AvroSerdes.of(ModerationDecision.class)).withName("review"));
    return decisions;
  }

  /** The policy for {@code sourceId} and the key it was found under. */
  record Found(ModerationPolicy policy, String key) {}

  static Found lookup(KeyValueStore<String, ?> store, String sourceId) {
    ModerationPolicy own = unwrap(store.get(sourceId));
    if (own != null) {
      return new Found(own, sourceId);
    }
    ModerationPolicy fallback = unwrap(store.get(PolicyEvaluator.DEFAULT_KEY));
    return fallback != null ? new Found(fallback, PolicyEvaluator.DEFAULT_KEY)
        : new Found(PolicyEvaluator.builtIn(), PolicyEvaluator.BUILT_IN);
  }

  private static ModerationPolicy unwrap(Object stored) {
    if (stored instanceof ValueAndTimestamp<?> v) {
      return (ModerationPolicy) v.value();
    }
    return (ModerationPolicy) stored;
  }

  /** A processor that judges records by the policy table. */
  private abstract static class PolicyJudge implements FixedKeyProcessor<String, byte[], Outcome<ModerationDecision>> {
    final Clock clock;
    FixedKeyProcessorContext<String, Outcome<ModerationDecision>> context;
    KeyValueStore<String, ?> policies;

    PolicyJudge(Clock clock) {
      this.clock = clock;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Outcome<ModerationDecision>> context) {
      this.context = context;
      this.policies = context.getStateStore(POLICY_STORE);
    }

    /** Forwards the decision {@code judge} makes, or a dead letter of {@code record} if judging fails. */
    void forward(FixedKeyRecord<String, byte[]> record, Function<Found, ModerationDecision> judge,
        String sourceId) {
      Outcome<ModerationDecision> outcome;
      try {
        outcome = Outcome.of(judge.apply(lookup(policies, sourceId)));
      } catch (RuntimeException e) {
        outcome = Outcome.dead(record, context.recordMetadata().orElse(null), JUDGING_FAILED, e);
      }
      context.forward(record.withValue(outcome));
    }
  }

  /** Parses and judges a prediction. */
  static final class JudgePrediction extends PolicyJudge {
    private final Deserializer<Prediction> predictions = AvroSerdes.prediction().deserializer();

    JudgePrediction(Clock clock) {
      super(clock);
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
      Outcome<Prediction> parsed = ParsePrediction.parse(record, context, predictions);
      if (parsed.isDead()) {
        context.forward(record.withValue(new Outcome<>(null, parsed.deadLetter(), parsed.deadLetterHeaders())));
        return;
      }
      Prediction prediction = parsed.value();
      forward(record, found -> PolicyEvaluator.decide(prediction, found.policy(), found.key(), clock.instant()),
          prediction.getSourceId());
    }
  }

  /** An image the classifier dead-lettered: NOT_CLASSIFIED, with the classifier's reason. */
  static final class JudgeDeadLetter extends PolicyJudge {

    JudgeDeadLetter(Clock clock) {
      super(clock);
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
      String id = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.EVENT_ID);
      if (id == null || record.key() == null) {
        // not an identifiable upload (the classifier could not read an event id or source): nothing to judge
        return;
      }
      String message = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.MESSAGE);
      String why = "dead-lettered by the classifier: " + DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.REASON)
          + (message == null ? "" : ": " + message);
      forward(record, found -> PolicyEvaluator.notClassified(UUID.fromString(id), record.key(), why, found.policy(),
          found.key(), clock.instant()), record.key());
    }
  }

  /** Puts a dead letter's headers on the record and its original bytes as the value. */
  static final class ToDeadLetter<T> implements FixedKeyProcessor<String, Outcome<T>, byte[]> {
    private FixedKeyProcessorContext<String, byte[]> context;

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Outcome<T>> record) {
      context.forward(record.withValue(record.value().deadLetter()).withHeaders(record.value().deadLetterHeaders()));
    }
  }
}
