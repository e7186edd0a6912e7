package io.visionstream.moderation.policy;

import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.policy.PolicyCheck;

/**
 * What the moderation topology counts besides its output: the service turns these into metrics.
 * Called from stream threads; implementations must be thread-safe.
 */
public interface PolicyEvents {

  /** Counts nothing. */
  PolicyEvents NONE = new PolicyEvents() {
    @Override
    public void policyRejected(String source, PolicyCheck.Reason reason) {}

    @Override
    public void unidentifiedDeadLetter(String reason) {}

    @Override
    public void judgingFailed() {}

    @Override
    public void decided(Verdict verdict) {}
  };

  /** A record of the policies topic was rejected; called once per record, by the instance that screened it. */
  void policyRejected(String source, PolicyCheck.Reason reason);

  /** A classifier dead letter named no upload (it never was an ImageEvent), so it gets no decision. */
  void unidentifiedDeadLetter(String reason);

  /** Judging a prediction failed; the prediction went to review instead. */
  void judgingFailed();

  /**
   * A decision was made (before it is written: under exactly-once, a decision whose transaction is
   * aborted and made again counts twice).
   */
  void decided(Verdict verdict);
}
