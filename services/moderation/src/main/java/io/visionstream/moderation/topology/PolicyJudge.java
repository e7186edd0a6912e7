package io.visionstream.moderation.topology;

import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import java.time.Clock;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/** A processor that judges records by the global policy table. */
abstract class PolicyJudge implements FixedKeyProcessor<String, byte[], Outcome<ModerationDecision>> {

  /** The policy for a source and the key it was found under. */
  record Found(ModerationPolicy policy, String key) {}

  final Clock clock;
  FixedKeyProcessorContext<String, Outcome<ModerationDecision>> context;
  private KeyValueStore<String, ModerationPolicy> policies;

  PolicyJudge(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Outcome<ModerationDecision>> context) {
    this.context = context;
    this.policies = context.getStateStore(ModerationTopology.POLICY_STORE);
  }

  /**
   * The policy for {@code sourceId}: its own, else {@code __default__}, else the built-in one. The
   * table holds only valid policies (see {@link io.visionstream.moderation.policy.PolicyTableUpdate}).
   */
  Found lookup(String sourceId) {
    ModerationPolicy own = sourceId == null ? null : policies.get(sourceId);
    if (own != null) {
      return new Found(own, sourceId);
    }
    ModerationPolicy fallback = policies.get(PolicyEvaluator.DEFAULT_KEY);
    return fallback != null ? new Found(fallback, PolicyEvaluator.DEFAULT_KEY)
        : new Found(PolicyEvaluator.builtIn(), PolicyEvaluator.BUILT_IN);
  }

  /** {@code topic} partition p offset o of the record being processed, for logs. */
  String location() {
    return context.recordMetadata().map(m -> m.topic() + " partition " + m.partition() + " offset " + m.offset())
        .orElse("(no record metadata)");
  }
}
