package io.visionstream.schemas.policy;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.ThresholdRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes a moderation policy valid, in one place: the moderation topology applies only
 * policies with no problems, and every tool that writes policies checks them here first.
 *
 * <ul>
 *   <li>the key (source id) is not empty; the version is 0 or more;
 *   <li>every threshold is a finite score in [0, 1] (a percentage such as 50 is named as one), and
 *       {@code review_at} is at most {@code block_at} where both are set;
 *   <li>every rule names its class by label or by class index, not both and not neither, sets at
 *       least one threshold, and no two rules name the same label or index;
 *   <li>{@code any_class} names no class and sets at least one threshold;
 *   <li>the policy judges something (rules or {@code any_class}): a policy that would ALLOW every
 *       image is a mistake far more often than an intent;
 *   <li>allow-listed labels are not empty.
 * </ul>
 */
public final class PolicyValidator {

  private PolicyValidator() {}

  /** Every problem of {@code policy} stored under key {@code source}; empty when it may be applied. */
  public static List<PolicyProblem> problems(String source, ModerationPolicy policy) {
    List<PolicyProblem> problems = new ArrayList<>();
    if (source == null || source.isBlank()) {
      problems.add(new PolicyProblem("(key)", quoted(source), "a policy is keyed by the source id it applies to "
          + "(or __default__); the key must not be empty"));
    }
    if (policy.getVersion() < 0) {
      problems.add(new PolicyProblem("version", Long.toString(policy.getVersion()), "must be 0 or more"));
    }
    Map<String, Integer> ruleOfLabel = new HashMap<>();
    Map<Integer, Integer> ruleOfIndex = new HashMap<>();
    List<ThresholdRule> rules = policy.getRules();
    for (int i = 0; i < rules.size(); i++) {
      ThresholdRule rule = rules.get(i);
      String at = "rules[" + i + "]";
      naming(problems, at, rule);
      thresholds(problems, at, rule);
      Integer earlier = rule.getLabel() != null ? ruleOfLabel.putIfAbsent(rule.getLabel(), i)
          : rule.getClassIndex() != null ? ruleOfIndex.putIfAbsent(rule.getClassIndex(), i) : null;
      if (earlier != null) {
        problems.add(new PolicyProblem(at, describe(rule), "names the same class as rules[" + earlier
            + "]; one class has one rule"));
      }
    }
    ThresholdRule any = policy.getAnyClass();
    if (any != null) {
      if (any.getLabel() != null || any.getClassIndex() != null) {
        problems.add(new PolicyProblem("any_class", describe(any), "applies to every class without a rule of its own, "
            + "so it names none: leave label and class_index null (for one class, add a rule)"));
      }
      thresholds(problems, "any_class", any);
    } else if (rules.isEmpty()) {
      problems.add(new PolicyProblem("rules, any_class", "[], null", "the policy judges no class, so every image "
          + "would be ALLOWed: set any_class thresholds or add rules"));
    }
    List<String> allow = policy.getAllow();
    for (int i = 0; i < allow.size(); i++) {
      if (allow.get(i) == null || allow.get(i).isBlank()) {
        problems.add(new PolicyProblem("allow[" + i + "]", quoted(allow.get(i)), "must be a label, not empty"));
      }
    }
    return problems;
  }

  private static void naming(List<PolicyProblem> problems, String at, ThresholdRule rule) {
    if (rule.getLabel() != null && rule.getClassIndex() != null) {
      problems.add(new PolicyProblem(at, describe(rule), "names its class by label or by class_index, not both"));
    } else if (rule.getLabel() == null && rule.getClassIndex() == null) {
      problems.add(new PolicyProblem(at, describe(rule), "names no class: set label or class_index "
          + "(thresholds for every class go in any_class)"));
    } else if (rule.getLabel() != null && rule.getLabel().isBlank()) {
      problems.add(new PolicyProblem(at + ".label", quoted(rule.getLabel()), "must be a label, not empty"));
    } else if (rule.getClassIndex() != null && rule.getClassIndex() < 0) {
      problems.add(new PolicyProblem(at + ".class_index", rule.getClassIndex().toString(), "must be 0 or more"));
    }
  }

  private static void thresholds(List<PolicyProblem> problems, String at, ThresholdRule rule) {
    Float review = rule.getReviewAt();
    Float block = rule.getBlockAt();
    boolean reviewOk = score(problems, at + ".review_at", review);
    boolean blockOk = score(problems, at + ".block_at", block);
    if (review == null && block == null) {
      problems.add(new PolicyProblem(at, describe(rule), "sets neither review_at nor block_at, so it never judges"
          + (at.equals("any_class") ? "; leave any_class null if only rules apply"
          : " its class; to exempt a label from any_class, list it in allow")));
    } else if (reviewOk && blockOk && review != null && block != null && review > block) {
      problems.add(new PolicyProblem(at, "review_at=" + review + ", block_at=" + block,
          "review_at must not exceed block_at (a score that blocks has passed review)"));
    }
  }

  /** Adds a problem unless {@code value} is null or a finite score in [0, 1]; true when it is one. */
  private static boolean score(List<PolicyProblem> problems, String field, Float value) {
    if (value == null) {
      return true;
    }
    if (!Float.isFinite(value)) {
      problems.add(new PolicyProblem(field, value.toString(), "must be a finite score in [0, 1]"));
      return false;
    }
    if (value < 0f || value > 1f) {
      String hint = value >= 2f && value <= 100f
          ? " (scores are probabilities, not percentages: for " + value + "% write " + (value / 100f) + ")" : "";
      problems.add(new PolicyProblem(field, value.toString(), "must be a score in [0, 1]" + hint));
      return false;
    }
    return true;
  }

  private static String describe(ThresholdRule rule) {
    return "{label=" + quoted(rule.getLabel()) + ", class_index=" + rule.getClassIndex() + ", review_at="
        + rule.getReviewAt() + ", block_at=" + rule.getBlockAt() + "}";
  }

  private static String quoted(String text) {
    return text == null ? "null" : "\"" + text + "\"";
  }
}
