package io.visionstream.schemas.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy that must not be applied or published, with every problem found. */
public final class InvalidPolicyException extends Exception {

  private final List<PolicyProblem> problems;

  public InvalidPolicyException(List<PolicyProblem> problems) {
    super(problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("; ")));
    this.problems = List.copyOf(problems);
  }

  public List<PolicyProblem> problems() {
    return problems;
  }
}
