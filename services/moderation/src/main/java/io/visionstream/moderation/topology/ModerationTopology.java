package io.visionstream.moderation.topology;

import io.visionstream.moderation.policy.PolicyEvents;
import io.visionstream.moderation.policy.PolicyScreen;
import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.moderation.policy.PolicyTableUpdate;
import io.visionstream.moderation.policy.Screened;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.service.tracing.Tracing;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Predictions → moderation decisions, failing closed.
 *
 * <p>Policies: every record of the policies topic is screened ({@link PolicyScreen}); only valid
 * policies and deletions reach the accepted-policies topic, rejected records go to the
 * rejected-policies topic, and a rejected record leaves its source with its last valid policy. The
 * policy table is a global store of the accepted-policies topic ({@link PolicyTableUpdate}): every
 * instance holds all policies, and a restart with an empty state directory rebuilds the same table.
 * A prediction is judged by its source's policy, else {@code __default__}, else the built-in
 * review-everything policy; a policy update applies to every prediction processed after it reached
 * the table.
 *
 * <p>Every upload gets one decision: images the classifier dead-lettered become NOT_CLASSIFIED,
 * and a prediction whose judging fails goes to review. Unreadable predictions go to this service's
 * dead-letter topic with the original bytes; the stream goes on.
 */
public final class ModerationTopology {

  /** Name of the global policy store. */
  public static final String POLICY_STORE = "moderation-policies-store";

  /**
   * The topics the moderation topology reads and writes; {@code classifierDeadLetters} may be null.
   *
   * @param acceptedPolicies compacted; written only by this topology: the policy that applies to each source
   * @param rejectedPolicies rejected policy records with their problems in headers
   */
  public record Topics(String predictions, String policies, String acceptedPolicies, String rejectedPolicies,
      String decisions, String review, String deadLetters, String classifierDeadLetters) {}

  private ModerationTopology() {}

  /**
   * Adds the moderation topology to {@code builder}; returns the stream of decisions.
   *
   * @param table updated with the policy table's state, for health
   * @param events told of rejections and records that get no decision, for metrics
   */
  public static KStream<String, ModerationDecision> build(StreamsBuilder builder, Topics topics, Clock clock,
      PolicyTable table, PolicyEvents events) {
    return build(builder, topics, clock, table, events, Tracing.OFF);
  }

  /**
   * {@link #build(StreamsBuilder, Topics, Clock, PolicyTable, PolicyEvents)}, with a span for each
   * prediction judged, a child of the trace context in the prediction's headers.
   */
  public static KStream<String, ModerationDecision> build(StreamsBuilder builder, Topics topics, Clock clock,
      PolicyTable table, PolicyEvents events, Tracing tracing) {
    screenPolicies(builder, topics, events);
    builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(POLICY_STORE), Serdes.String(),
            AvroSerdes.of(ModerationPolicy.class)).withLoggingDisabled(), topics.acceptedPolicies(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("accepted-policies"),
        () -> new PolicyTableUpdate(POLICY_STORE, table));

    KStream<String, Outcome<ModerationDecision>> judged = builder
        .stream(topics.predictions(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("predictions"))
        .processValues(() -> new JudgePrediction(clock, events, tracing), Named.as("judge-prediction"));
    if (topics.classifierDeadLetters() != null) {
      judged = judged.merge(builder.stream(topics.classifierDeadLetters(), Consumed.with(Serdes.String(), Serdes.ByteArray())
          .withName("classifier-dead-letters"))
          .processValues(() -> new JudgeDeadLetter(clock, events), Named.as("judge-dead-letter")), Named.as("all-judged"));
    }
    judged.filter((k, o) -> o.isDead(), Named.as("dead")).processValues(ToDeadLetter::new, Named.as("dead-headers"))
        .to(topics.deadLetters(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dead-letters"));
    KStream<String, ModerationDecision> decisions = judged.filter((k, o) -> !o.isDead(), Named.as("judged-ok"))
        .mapValues(Outcome::value, Named.as("decision"))
        .peek((k, d) -> events.decided(d.getVerdict()), Named.as("count-decision"));
    decisions.to(topics.decisions(), Produced.with(Serdes.String(), AvroSerdes.of(ModerationDecision.class))
        .withName("decisions"));
    decisions.filter((k, d) -> d.getVerdict() != Verdict.ALLOW, Named.as("needs-review"))
        .to(topics.review(), Produced.with(Serdes.String(), AvroSerdes.of(ModerationDecision.class)).withName("review"));
    return decisions;
  }

  /** Policies topic → screen → accepted-policies (the table's only input) and rejected-policies. */
  private static void screenPolicies(StreamsBuilder builder, Topics topics, PolicyEvents events) {
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PolicyScreen.LAST_VALID_STORE),
        Serdes.String(), Serdes.ByteArray()));
    builder.stream(topics.policies(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("policies"))
        .processValues(() -> new PolicyScreen(events), Named.as("screen-policy"), PolicyScreen.LAST_VALID_STORE)
        .split(Named.as("policy-"))
        .branch((source, screened) -> screened.rejected(), Branched.withConsumer(rejected -> rejected
            .mapValues(Screened::value, Named.as("rejected-value"))
            .to(topics.rejectedPolicies(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("rejected-policies")),
            "rejected"))
        .defaultBranch(Branched.withConsumer(accepted -> accepted
            .mapValues(Screened::value, Named.as("accepted-value"))
            .to(topics.acceptedPolicies(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("accepted-policies-out")),
            "accepted"));
  }
}
