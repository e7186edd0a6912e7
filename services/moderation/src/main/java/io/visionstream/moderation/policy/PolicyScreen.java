package io.visionstream.moderation.policy;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.policy.PolicyCheck;
import io.visionstream.schemas.policy.PolicyHeaders;
import io.visionstream.schemas.policy.PolicyProblem;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Screens every record of the policies topic with {@link PolicyCheck} before any policy can
 * apply. A valid policy (re-encoded with the current schema) or a deletion passes on to the
 * accepted-policies topic, which is all the policy table is built from. A rejected record is
 * logged once, counted, and goes to the rejected-policies topic with a header per problem; the
 * accepted-policies topic then gets the source's last valid policy again (or its deletion, when
 * it never had one), carrying {@link PolicyHeaders#REJECTED}, so every instance's table and health
 * know of the rejection and a rebuilt table still holds the last valid policy. The last valid
 * policy of each source is kept in a changelogged store, so it survives restarts and compaction
 * of the policies topic.
 */
public final class PolicyScreen implements FixedKeyProcessor<String, byte[], Screened> {

  /** Name of the store of each source's last valid policy (encoded). */
  public static final String LAST_VALID_STORE = "moderation-policies-last-valid";

  private static final Logger LOG = LoggerFactory.getLogger(PolicyScreen.class);

  private final PolicyEvents events;
  private final Serializer<ModerationPolicy> serializer = AvroSerdes.of(ModerationPolicy.class).serializer();
  private FixedKeyProcessorContext<String, Screened> context;
  private KeyValueStore<String, byte[]> lastValid;

  public PolicyScreen(PolicyEvents events) {
    this.events = events;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Screened> context) {
    this.context = context;
    this.lastValid = context.getStateStore(LAST_VALID_STORE);
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    RecordMetadata where = context.recordMetadata().orElseThrow();
    String source = record.key();
    PolicyCheck check = PolicyCheck.of(where.topic(), source, record.value());
    if (!check.isRejected()) {
      byte[] value = check.isDeletion() ? null : serializer.serialize(where.topic(), check.policy());
      if (value == null) {
        lastValid.delete(source);
      } else {
        lastValid.put(source, value);
      }
      context.forward(record.withValue(new Screened(false, value)).withHeaders(new RecordHeaders()));
      return;
    }
    PolicyCheck.Rejection rejection = check.rejection();
    byte[] kept = source == null ? null : lastValid.get(source);
    String location = where.topic() + " partition " + where.partition() + " offset " + where.offset();
    LOG.warn("Rejected the policy for source {} at {} ({}): {}. {}", source, location, rejection.reason(),
        rejection.summary(), kept != null ? "Its last valid policy still applies."
            : "It has no valid policy of its own; " + PolicyEvaluator.DEFAULT_KEY + " (or the built-in review-everything) applies.");
    events.policyRejected(source, rejection.reason());
    context.forward(record.withValue(new Screened(true, record.value())).withHeaders(rejectedHeaders(record, where, rejection)));
    if (source != null && !source.isBlank()) {
      Headers headers = new RecordHeaders();
      put(headers, PolicyHeaders.REJECTED, "latest policy at " + location + " rejected (" + rejection.reason() + "): "
          + rejection.summary());
      context.forward(record.withValue(new Screened(false, kept)).withHeaders(headers));
    }
  }

  private static Headers rejectedHeaders(FixedKeyRecord<String, byte[]> record, RecordMetadata where,
      PolicyCheck.Rejection rejection) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, DeadLetterHeaders.REASON, rejection.reason().name());
    put(headers, DeadLetterHeaders.MESSAGE, rejection.summary());
    put(headers, DeadLetterHeaders.SOURCE_TOPIC, where.topic());
    put(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(where.partition()));
    put(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(where.offset()));
    put(headers, PolicyHeaders.SOURCE, String.valueOf(record.key()));
    for (PolicyProblem problem : rejection.problems()) {
      headers.add(PolicyHeaders.FIELD, utf8(problem.field()));
      headers.add(PolicyHeaders.VALUE, utf8(problem.value()));
      headers.add(PolicyHeaders.PROBLEM, utf8(problem.problem()));
    }
    return headers;
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, utf8(value));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
