package io.visionstream.schemas.policy;

/**
 * One reason a moderation policy is rejected.
 *
 * @param field where in the policy, e.g. {@code rules[1].review_at}, {@code version}, {@code (key)} or {@code (value)}
 * @param value the value found there, as text
 * @param problem what is wrong and what is allowed
 */
public record PolicyProblem(String field, String value, String problem) {

  @Override
  public String toString() {
    return field + " = " + value + ": " + problem;
  }
}
