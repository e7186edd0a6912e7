package io.visionstream.moderation.topology;

import io.visionstream.moderation.policy.PolicyEvents;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.policy.PolicyCheck;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers what the topology reported. */
final class RecordingEvents implements PolicyEvents {

  final List<String> rejected = new CopyOnWriteArrayList<>();
  final List<String> unidentified = new CopyOnWriteArrayList<>();
  final List<String> judgingFailures = new CopyOnWriteArrayList<>();
  final List<Verdict> decided = new CopyOnWriteArrayList<>();

  @Override
  public void policyRejected(String source, PolicyCheck.Reason reason) {
    rejected.add(source + ":" + reason);
  }

  @Override
  public void unidentifiedDeadLetter(String reason) {
    unidentified.add(reason);
  }

  @Override
  public void judgingFailed() {
    judgingFailures.add("failed");
  }

  @Override
  public void decided(Verdict verdict) {
    decided.add(verdict);
  }
}
