package io.visionstream.moderation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.visionstream.moderation.policy.PolicyEvents;
import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.schemas.policy.PolicyCheck;
import io.visionstream.schemas.Verdict;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;

/**
 * The moderation topology's own metrics, next to Kafka Streams':
 * {@code visionstream_moderation_policy_rejections_total{source,reason}} (counted by the instance
 * that screened the record), {@code visionstream_moderation_policies} and
 * {@code visionstream_moderation_policies_rejected} (this instance's table: sources with a policy
 * of their own, and sources whose latest policy was rejected),
 * {@code visionstream_moderation_unidentified_dead_letters_total{reason}},
 * {@code visionstream_moderation_judging_failures_total} and
 * {@code visionstream_moderation_decisions_total{verdict}} (these two from start-up, at 0 until counted).
 */
@Singleton
public class ModerationMetrics implements PolicyEvents {

  private final MeterRegistry registry;
  private final Map<Verdict, Counter> decisions = new EnumMap<>(Verdict.class);
  private final Counter judgingFailures;

  public ModerationMetrics(MeterRegistry registry, PolicyTable table) {
    this.registry = registry;
    for (Verdict verdict : Verdict.values()) {
      decisions.put(verdict, Counter.builder("visionstream.moderation.decisions").description("Decisions made, by verdict")
          .tag("verdict", verdict.name()).register(registry));
    }
    judgingFailures = Counter.builder("visionstream.moderation.judging.failures")
        .description("Predictions whose judging failed; sent to review").register(registry);
    Gauge.builder("visionstream.moderation.policies", table, PolicyTable::policies)
        .description("Sources (and __default__) with a valid policy of their own in this instance's table")
        .register(registry);
    Gauge.builder("visionstream.moderation.policies.rejected", table, t -> t.rejected().size())
        .description("Sources whose latest policy was rejected; each is judged by its last valid policy or the fallback")
        .register(registry);
  }

  @Override
  public void policyRejected(String source, PolicyCheck.Reason reason) {
    Counter.builder("visionstream.moderation.policy.rejections").description("Policy records rejected, by source")
        .tag("source", String.valueOf(source)).tag("reason", reason.name()).register(registry).increment();
  }

  @Override
  public void unidentifiedDeadLetter(String reason) {
    Counter.builder("visionstream.moderation.unidentified.dead.letters")
        .description("Classifier dead letters that name no event (never were ImageEvents), so get no decision")
        .tag("reason", reason).register(registry).increment();
  }

  @Override
  public void decided(Verdict verdict) {
    decisions.get(verdict).increment();
  }

  @Override
  public void judgingFailed() {
    judgingFailures.increment();
  }
}
