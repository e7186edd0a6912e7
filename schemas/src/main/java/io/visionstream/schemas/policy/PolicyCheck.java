package io.visionstream.schemas.policy;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.serde.AvroDeserializer;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What one record of a policies topic says: a policy that may be applied, the deletion of a
 * source's policy (a tombstone), or a rejection with every problem found. A value that is not a
 * readable {@code ModerationPolicy} is rejected like an invalid one; nothing on the topic can
 * make a policy that fails {@link PolicyValidator} apply.
 *
 * @param policy the policy to apply, or null when the record deletes one or is rejected
 * @param rejection why the record is rejected, or null
 */
public record PolicyCheck(ModerationPolicy policy, Rejection rejection) {

  /** Why a policy record was rejected. */
  public enum Reason {
    /** The value is not a readable ModerationPolicy (not Avro, another record type, corrupt). */
    POLICY_UNREADABLE,
    /** The value is a ModerationPolicy that breaks a rule of {@link PolicyValidator}. */
    POLICY_INVALID
  }

  /** A rejected record: the reason and every problem, each naming the field and the value found. */
  public record Rejection(Reason reason, List<PolicyProblem> problems) {

    public Rejection {
      problems = List.copyOf(problems);
    }

    /** All problems on one line, for logs and headers. */
    public String summary() {
      return problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("; "));
    }
  }

  private static final AvroDeserializer<ModerationPolicy> READER = AvroDeserializer.specific(ModerationPolicy.class);

  /** Checks the record {@code source} → {@code value} read from {@code topic} (named in errors; may be null). */
  public static PolicyCheck of(String topic, String source, byte[] value) {
    if (value == null) {
      List<PolicyProblem> key = source == null || source.isBlank()
          ? List.of(new PolicyProblem("(key)", String.valueOf(source), "a tombstone deletes the policy of the source it "
              + "is keyed by; the key must not be empty")) : List.of();
      return key.isEmpty() ? new PolicyCheck(null, null) : new PolicyCheck(null, new Rejection(Reason.POLICY_INVALID, key));
    }
    ModerationPolicy policy;
    try {
      policy = READER.deserialize(topic, value);
    } catch (RuntimeException e) {
      return new PolicyCheck(null, new Rejection(Reason.POLICY_UNREADABLE, List.of(new PolicyProblem("(value)",
          preview(value), "not a readable ModerationPolicy: " + e.getMessage()))));
    }
    return of(source, policy);
  }

  /** Checks an already decoded policy keyed by {@code source}. */
  public static PolicyCheck of(String source, ModerationPolicy policy) {
    List<PolicyProblem> problems = PolicyValidator.problems(source, policy);
    return problems.isEmpty() ? new PolicyCheck(policy, null)
        : new PolicyCheck(null, new Rejection(Reason.POLICY_INVALID, problems));
  }

  public boolean isRejected() {
    return rejection != null;
  }

  /** True when the record deletes the source's policy. */
  public boolean isDeletion() {
    return policy == null && rejection == null;
  }

  private static String preview(byte[] value) {
    int n = Math.min(value.length, 8);
    return value.length + " bytes, starting " + HexFormat.ofDelimiter(" ").formatHex(value, 0, n);
  }
}
