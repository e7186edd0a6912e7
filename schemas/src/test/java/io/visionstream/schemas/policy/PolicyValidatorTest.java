package io.visionstream.schemas.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.ThresholdRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PolicyValidatorTest {

  static ThresholdRule rule(String label, Integer index, Float review, Float block) {
    return ThresholdRule.newBuilder().setLabel(label).setClassIndex(index).setReviewAt(review).setBlockAt(block).build();
  }

  static ModerationPolicy policy(long version, ThresholdRule any, List<String> allow, ThresholdRule... rules) {
    return ModerationPolicy.newBuilder().setVersion(version).setRules(List.of(rules)).setAnyClass(any).setAllow(allow).build();
  }

  @Test
  void aPolicyWithinEveryRuleHasNoProblems() {
    assertThat(PolicyValidator.problems("cam-1", policy(0, rule(null, null, 0f, 1f), List.of("tabby"),
        rule("revolver", null, 0.1f, 0.4f), rule(null, 763, null, 0.9f), rule("cat", null, 0.5f, 0.5f)))).isEmpty();
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of("threshold above 1", policy(1, null, List.of(), rule("cat", null, 1.5f, null)),
            "rules[0].review_at", "1.5", "must be a score in [0, 1]"),
        Arguments.of("negative threshold", policy(1, rule(null, null, null, -0.1f), List.of()),
            "any_class.block_at", "-0.1", "must be a score in [0, 1]"),
        Arguments.of("NaN threshold", policy(1, rule(null, null, Float.NaN, null), List.of()),
            "any_class.review_at", "NaN", "must be a finite score"),
        Arguments.of("infinite threshold", policy(1, null, List.of(), rule(null, 3, null, Float.POSITIVE_INFINITY)),
            "rules[0].block_at", "Infinity", "must be a finite score"),
        Arguments.of("percentage", policy(1, rule(null, null, 50f, null), List.of()),
            "any_class.review_at", "50.0", "not percentages: for 50.0% write 0.5"),
        Arguments.of("review above block", policy(1, null, List.of(), rule("cat", null, 0.9f, 0.5f)),
            "rules[0]", "review_at=0.9, block_at=0.5", "review_at must not exceed block_at"),
        Arguments.of("label and index", policy(1, null, List.of(), rule("cat", 281, 0.5f, null)),
            "rules[0]", "label=\"cat\", class_index=281", "not both"),
        Arguments.of("neither label nor index", policy(1, null, List.of(), rule(null, null, 0.5f, null)),
            "rules[0]", "label=null, class_index=null", "names no class"),
        Arguments.of("duplicate label", policy(1, null, List.of(), rule("cat", null, 0.5f, null), rule("dog", null, 0.5f, null),
            rule("cat", null, null, 0.9f)), "rules[2]", "label=\"cat\"", "same class as rules[0]"),
        Arguments.of("duplicate index", policy(1, null, List.of(), rule(null, 7, 0.5f, null), rule(null, 7, 0.2f, null)),
            "rules[1]", "class_index=7", "same class as rules[0]"),
        Arguments.of("negative version", policy(-1, rule(null, null, 0.5f, null), List.of()), "version", "-1", "0 or more"),
        Arguments.of("rule without thresholds", policy(1, null, List.of(), rule("cat", null, null, null)),
            "rules[0]", "label=\"cat\"", "sets neither review_at nor block_at"),
        Arguments.of("any_class naming a class", policy(1, rule("cat", null, 0.5f, null), List.of()),
            "any_class", "label=\"cat\"", "names none"),
        Arguments.of("judges nothing", policy(1, null, List.of("cat")), "rules, any_class", "[], null",
            "every image would be ALLOWed"),
        Arguments.of("empty label", policy(1, null, List.of(), rule("", null, 0.5f, null)), "rules[0].label", "\"\"",
            "not empty"),
        Arguments.of("negative class index", policy(1, null, List.of(), rule(null, -3, 0.5f, null)), "rules[0].class_index",
            "-3", "0 or more"),
        Arguments.of("empty allow label", policy(1, rule(null, null, 0.5f, null), List.of(" ")), "allow[0]", "\" \"",
            "not empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void eachInvalidKindIsOneProblemNamingTheFieldAndTheValue(String kind, ModerationPolicy policy, String field,
      String value, String says) {
    List<PolicyProblem> problems = PolicyValidator.problems("cam-1", policy);
    assertThat(problems).as(kind).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo(field);
      assertThat(p.value()).contains(value);
      assertThat(p.problem()).contains(says);
    });
  }

  @Test
  void everyProblemIsReportedAtOnceAndAnEmptyKeyIsOne() {
    List<PolicyProblem> problems = PolicyValidator.problems("", policy(-2, rule(null, null, Float.NaN, 75f), List.of(),
        rule("cat", 1, 2f, null)));
    assertThat(problems).extracting(PolicyProblem::field).containsExactly("(key)", "version", "rules[0]",
        "rules[0].review_at", "any_class.review_at", "any_class.block_at");
  }
}
