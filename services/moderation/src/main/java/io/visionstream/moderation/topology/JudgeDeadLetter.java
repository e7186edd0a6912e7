package io.visionstream.moderation.topology;

import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.moderation.policy.PolicyEvents;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.time.Clock;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image the classifier dead-lettered: NOT_CLASSIFIED, with the classifier's reason. The upload
 * is named by the dead letter's event id header (the classifier sets it on every dead letter whose
 * bytes began as an ImageEvent) and its source by the event's source id header, else the key. A
 * dead letter without a usable event id never was an upload: it is counted and logged, not judged.
 */
final class JudgeDeadLetter extends PolicyJudge {

  private static final Logger LOG = LoggerFactory.getLogger(JudgeDeadLetter.class);

  private final PolicyEvents events;

  JudgeDeadLetter(Clock clock, PolicyEvents events) {
    super(clock);
    this.events = events;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    String reason = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.REASON);
    UUID id = eventId(DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.EVENT_ID));
    if (id == null) {
      LOG.warn("Classifier dead letter at {} (reason {}) names no event: it was never an ImageEvent, so no upload "
          + "waits for a decision", location(), reason);
      events.unidentifiedDeadLetter(String.valueOf(reason));
      return;
    }
    String source = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.EVENT_SOURCE_ID);
    String sourceId = source != null ? source : record.key() != null ? record.key() : "";
    String message = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.MESSAGE);
    String why = "dead-lettered by the classifier: " + reason + (message == null ? "" : ": " + message);
    Found found = lookup(sourceId);
    ModerationDecision decision = PolicyEvaluator.notClassified(id, sourceId, why, found.policy(), found.key(),
        clock.instant());
    context.forward(record.withValue(Outcome.of(decision)));
  }

  private static UUID eventId(String header) {
    if (header == null) {
      return null;
    }
    try {
      return UUID.fromString(header);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
