package io.visionstream.moderation.policy;

import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.DecisionReason;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.ThresholdRule;
import io.visionstream.schemas.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Judges one prediction by one policy. Each class in the prediction's top-k is judged by the rule
 * naming it (by label or class index), else by the policy's {@code any_class} thresholds unless
 * its label is on the allow list. A score at or above {@code block_at} blocks, else at or above
 * {@code review_at} sends to review; the most severe class decides. A prediction that was not
 * classified (skipped as stale, unknown status) is NOT_CLASSIFIED, never ALLOW.
 */
public final class PolicyEvaluator {

  /** Key of the policy that applies to sources without their own. */
  public static final String DEFAULT_KEY = "__default__";

  /** policy_source of decisions made when neither the source nor __default__ has a policy. */
  public static final String BUILT_IN = "built-in";

  private PolicyEvaluator() {}

  /**
   * The policy used when the policies topic has none for the source and no __default__: every
   * classified image goes to review, since nothing says it is safe.
   */
  public static ModerationPolicy builtIn() {
    return ModerationPolicy.newBuilder().setVersion(0).setRules(List.of())
        .setAnyClass(ThresholdRule.newBuilder().setReviewAt(0f).build()).setAllow(List.of()).build();
  }

  /**
   * @param policySource key the policy was found under: the source id, {@link #DEFAULT_KEY} or {@link #BUILT_IN}
   */
  public static ModerationDecision decide(Prediction prediction, ModerationPolicy policy, String policySource, Instant now) {
    ModerationDecision.Builder decision = ModerationDecision.newBuilder().setEventId(prediction.getEventId())
        .setSourceId(prediction.getSourceId()).setPolicySource(policySource).setPolicyVersion(policy.getVersion())
        .setDecidedAt(now).setReasons(List.of()).setModel(prediction.getModel());
    if (prediction.getStatus() != PredictionStatus.CLASSIFIED) {
      return decision.setVerdict(Verdict.NOT_CLASSIFIED).setNote("prediction status " + prediction.getStatus()).build();
    }
    List<DecisionReason> reasons = new ArrayList<>();
    for (ClassScore score : prediction.getTopK()) {
      ThresholdRule rule = ruleFor(policy, score);
      if (rule == null) {
        continue;
      }
      DecisionReason reason = reached(score, rule);
      if (reason != null) {
        reasons.add(reason);
      }
    }
    reasons.sort(Comparator.comparing((DecisionReason r) -> r.getVerdict() == Verdict.BLOCK ? 0 : 1)
        .thenComparing(r -> -r.getScore()));
    Verdict verdict = reasons.isEmpty() ? Verdict.ALLOW : reasons.get(0).getVerdict();
    if (BUILT_IN.equals(policySource)) {
      decision.setNote("no policy for source " + prediction.getSourceId() + " and no " + DEFAULT_KEY
          + " policy: every classified image goes to review");
    }
    return decision.setVerdict(verdict).setReasons(reasons).build();
  }

  /** The decision on an image the classifier dead-lettered: never scored, so NOT_CLASSIFIED. */
  public static ModerationDecision notClassified(UUID eventId, String sourceId, String why, ModerationPolicy policy,
      String policySource, Instant now) {
    return ModerationDecision.newBuilder().setEventId(eventId).setSourceId(sourceId).setVerdict(Verdict.NOT_CLASSIFIED)
        .setReasons(List.of()).setNote(why).setPolicySource(policySource).setPolicyVersion(policy.getVersion())
        .setDecidedAt(now).build();
  }

  /**
   * The decision on a prediction whose judging failed: REVIEW, with the error in the note, so that a
   * person looks at it; never ALLOW and never no decision.
   */
  public static ModerationDecision judgingFailed(Prediction prediction, ModerationPolicy policy, String policySource,
      RuntimeException error, Instant now) {
    return ModerationDecision.newBuilder().setEventId(prediction.getEventId()).setSourceId(prediction.getSourceId())
        .setVerdict(Verdict.REVIEW).setReasons(List.of()).setNote("judging failed (" + error + "); sent to review")
        .setPolicySource(policySource).setPolicyVersion(policy.getVersion()).setDecidedAt(now).setModel(prediction.getModel())
        .build();
  }

  private static ThresholdRule ruleFor(ModerationPolicy policy, ClassScore score) {
    for (ThresholdRule rule : policy.getRules()) {
      boolean byLabel = rule.getLabel() != null && rule.getLabel().equals(score.getLabel());
      boolean byIndex = rule.getClassIndex() != null && rule.getClassIndex() == score.getClassIndex();
      if (byLabel || byIndex) {
        return rule;
      }
    }
    if (policy.getAnyClass() == null || policy.getAllow().contains(score.getLabel())) {
      return null;
    }
    return policy.getAnyClass();
  }

  private static DecisionReason reached(ClassScore score, ThresholdRule rule) {
    float s = score.getScore();
    if (rule.getBlockAt() != null && s >= rule.getBlockAt()) {
      return reason(score, rule.getBlockAt(), Verdict.BLOCK);
    }
    if (rule.getReviewAt() != null && s >= rule.getReviewAt()) {
      return reason(score, rule.getReviewAt(), Verdict.REVIEW);
    }
    return null;
  }

  private static DecisionReason reason(ClassScore score, float threshold, Verdict verdict) {
    return DecisionReason.newBuilder().setLabel(score.getLabel()).setClassIndex(score.getClassIndex())
        .setScore(score.getScore()).setThreshold(threshold).setVerdict(verdict).build();
  }
}
