package io.visionstream.schemas.policy;

/**
 * Headers of the moderation service's policy topics. A record on {@code moderation-policies.rejected}
 * carries the rejected bytes, {@link #SOURCE}, and for each problem one {@link #FIELD}, {@link #VALUE}
 * and {@link #PROBLEM} header, in order (plus the dead-letter headers naming reason and location).
 * A record on {@code moderation-policies.accepted} is the policy that applies to its key; when the
 * latest policy put for that key was rejected, {@link #REJECTED} says why.
 */
public final class PolicyHeaders {

  public static final String SOURCE = "visionstream.policy.source";
  public static final String FIELD = "visionstream.policy.field";
  public static final String VALUE = "visionstream.policy.value";
  public static final String PROBLEM = "visionstream.policy.problem";
  public static final String REJECTED = "visionstream.policy.rejected";

  private PolicyHeaders() {}
}
