package io.visionstream.moderation.topology;

import static io.visionstream.moderation.topology.ModerationDriver.NOW;
import static io.visionstream.moderation.topology.ModerationDriver.encode;
import static io.visionstream.moderation.topology.Records.byIndex;
import static io.visionstream.moderation.topology.Records.byLabel;
import static io.visionstream.moderation.topology.Records.policy;
import static io.visionstream.moderation.topology.Records.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.policy.PolicyHeaders;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Moderation fails closed: a policy record that is invalid or unreadable is never applied, the
 * source keeps being judged by its last valid policy (else __default__, else review-everything),
 * the rejection is visible, and every upload gets a decision.
 */
class FailClosedPolicyTest {

  /** The strict policy each source starts with: any class from 0.5 to review, from 0.8 blocked. */
  static final ModerationPolicy STRICT = policy(1, byLabel(null, 0.5f, 0.8f), List.of());

  @TempDir Path state;
  ModerationDriver moderation;

  @BeforeEach
  void start() {
    moderation = new ModerationDriver(state.resolve("a"));
  }

  @AfterEach
  void stop() {
    moderation.close();
  }

  static byte[] truncated(ModerationPolicy policy) {
    byte[] bytes = encode(policy);
    return Arrays.copyOf(bytes, bytes.length - 3);
  }

  static Stream<Arguments> rejectedPolicies() {
    return Stream.of(
        Arguments.of("threshold above 1", encode(policy(2, byLabel(null, 1.5f, null), List.of())), "any_class.review_at", "1.5"),
        Arguments.of("NaN threshold", encode(policy(2, byLabel(null, Float.NaN, Float.NaN), List.of())),
            "any_class.review_at", "NaN"),
        Arguments.of("percentages", encode(policy(2, byLabel(null, 50f, 90f), List.of())), "any_class.review_at", "50.0"),
        Arguments.of("review above block", encode(policy(2, byLabel(null, 0.9f, 0.5f), List.of())), "any_class",
            "review_at=0.9, block_at=0.5"),
        Arguments.of("rule naming label and index", encode(policy(2, byLabel(null, 0.99f, null), List.of(),
            Records.rule("cat", 281, 0.99f, null))), "rules[0]", "label=\"cat\", class_index=281"),
        Arguments.of("rule naming no class", encode(policy(2, byLabel(null, 0.99f, null), List.of(),
            byLabel(null, 0.99f, null))), "rules[0]", "label=null, class_index=null"),
        Arguments.of("duplicate rules", encode(policy(2, byLabel(null, 0.99f, null), List.of(), byIndex(281, 0.9f, null),
            byIndex(281, 0.99f, null))), "rules[1]", "class_index=281"),
        Arguments.of("negative version", encode(policy(-2, byLabel(null, 0.99f, null), List.of())), "version", "-2"),
        Arguments.of("judges nothing", encode(policy(2, null, List.of())), "rules, any_class", "[], null"),
        Arguments.of("any_class naming a class", encode(policy(2, byLabel("cat", 0.99f, null), List.of())), "any_class",
            "label=\"cat\""),
        Arguments.of("not Avro", "{\"version\": 2}".getBytes(StandardCharsets.UTF_8), "(value)", "14 bytes, starting 7b"),
        Arguments.of("another record type", AvroSerdes.prediction().serializer().serialize("p", prediction("cam-1", NOW, "cat",
            0.1f)), "(value)", "bytes, starting c3 01"),
        Arguments.of("truncated policy", truncated(STRICT), "(value)", "bytes, starting c3 01"),
        Arguments.of("empty value", new byte[0], "(value)", "0 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedPolicies")
  void aRejectedPolicyNeverAppliesAndTheSourceKeepsItsLastValidPolicy(String kind, byte[] value, String field, String shown) {
    moderation.policies.pipeInput("cam-1", STRICT);
    moderation.rawPolicies.pipeInput("cam-1", value);

    // 0.6 is reviewed by the strict policy; any of the rejected ones would ALLOW it (or fail)
    ModerationDecision d = moderation.judge(prediction("cam-1", NOW, "cat", 0.6f));
    assertThat(d.getVerdict()).as(kind).isEqualTo(Verdict.REVIEW);
    assertThat(d.getPolicySource()).isEqualTo("cam-1");
    assertThat(d.getPolicyVersion()).isEqualTo(1);
    assertThat(moderation.judge(prediction("cam-1", NOW, "cat", 0.85f)).getVerdict()).isEqualTo(Verdict.BLOCK);
    assertThat(moderation.judge(prediction("cam-1", NOW, "cat", 0.3f)).getVerdict()).isEqualTo(Verdict.ALLOW);

    TestRecord<String, byte[]> rejected = moderation.rejected.readRecord();
    assertThat(rejected.key()).isEqualTo("cam-1");
    assertThat(rejected.value()).isEqualTo(value);
    assertThat(header(rejected, PolicyHeaders.SOURCE)).isEqualTo("cam-1");
    assertThat(header(rejected, DeadLetterHeaders.REASON)).isIn("POLICY_INVALID", "POLICY_UNREADABLE");
    assertThat(header(rejected, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("moderation-policies");
    assertThat(header(rejected, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
    assertThat(headers(rejected, PolicyHeaders.FIELD)).contains(field);
    assertThat(headers(rejected, PolicyHeaders.VALUE).get(headers(rejected, PolicyHeaders.FIELD).indexOf(field))).contains(shown);
    assertThat(headers(rejected, PolicyHeaders.PROBLEM)).hasSameSizeAs(headers(rejected, PolicyHeaders.FIELD));
    assertThat(moderation.rejected.isEmpty()).isTrue();
    assertThat(moderation.events.rejected).singleElement().asString().startsWith("cam-1:");
    assertThat(moderation.table.rejected()).containsOnlyKeys("cam-1");
    PolicyTable.Rejected seen = moderation.table.rejected().get("cam-1");
    assertThat(seen.applies()).isEqualTo("its last valid policy, version 1");
    assertThat(seen.rejection()).contains("moderation-policies partition 0 offset 1").contains(field);
    assertThat(moderation.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void aSourceWithoutAValidPolicyOfItsOwnFallsBackToTheDefaultAndWithoutOneToReviewEverything() {
    moderation.rawPolicies.pipeInput("cam-2", encode(policy(1, byLabel(null, 50f, 90f), List.of())));
    ModerationDecision builtIn = moderation.judge(prediction("cam-2", NOW, "cat", 0.01f));
    assertThat(builtIn.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(builtIn.getPolicySource()).isEqualTo(PolicyEvaluator.BUILT_IN);
    assertThat(moderation.table.rejected().get("cam-2").applies()).contains("built-in");

    moderation.policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, policy(4, byLabel(null, 0.3f, null), List.of()));
    ModerationDecision byDefault = moderation.judge(prediction("cam-2", NOW, "cat", 0.4f));
    assertThat(byDefault.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(byDefault.getPolicySource()).isEqualTo(PolicyEvaluator.DEFAULT_KEY);
    assertThat(moderation.table.rejected().get("cam-2").applies()).isEqualTo("the __default__ policy, version 4");
  }

  @Test
  void aRejectedDefaultKeepsTheLastValidDefault() {
    moderation.policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, policy(4, byLabel(null, 0.3f, null), List.of()));
    moderation.policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, policy(5, byLabel(null, Float.NaN, null), List.of()));
    ModerationDecision d = moderation.judge(prediction("cam-9", NOW, "cat", 0.4f));
    assertThat(d.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(d.getPolicyVersion()).isEqualTo(4);
    assertThat(moderation.table.rejected()).containsOnlyKeys(PolicyEvaluator.DEFAULT_KEY);
  }

  @Test
  void aLaterValidPolicyAppliesAndClearsTheRejectionAndADeletionFallsBackToTheDefault() {
    moderation.policies.pipeInput("cam-1", STRICT);
    moderation.rawPolicies.pipeInput("cam-1", "garbage".getBytes(StandardCharsets.UTF_8));
    assertThat(moderation.table.rejected()).containsKey("cam-1");
    moderation.policies.pipeInput("cam-1", policy(3, byLabel(null, 0.7f, null), List.of()));
    ModerationDecision d = moderation.judge(prediction("cam-1", NOW, "cat", 0.6f));
    assertThat(d.getVerdict()).isEqualTo(Verdict.ALLOW);
    assertThat(d.getPolicyVersion()).isEqualTo(3);
    assertThat(moderation.table.rejected()).isEmpty();
    assertThat(moderation.table.policies()).isEqualTo(1);

    moderation.rawPolicies.pipeInput("cam-1", (byte[]) null);
    assertThat(moderation.judge(prediction("cam-1", NOW, "cat", 0.6f)).getPolicySource()).isEqualTo(PolicyEvaluator.BUILT_IN);
    assertThat(moderation.table.policies()).isZero();
  }

  @Test
  void aPolicyWithoutASourceKeyIsRejectedAndChangesNothing() {
    moderation.policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, STRICT);
    moderation.policies.pipeInput((String) null, policy(2, byLabel(null, 0.99f, null), List.of()));
    assertThat(moderation.rejected.readRecord().headers().lastHeader(PolicyHeaders.FIELD).value())
        .isEqualTo("(key)".getBytes(StandardCharsets.UTF_8));
    assertThat(moderation.judge(prediction("cam-1", NOW, "cat", 0.6f)).getPolicyVersion()).isEqualTo(1);
  }

  @Test
  void aRestartWithAnEmptyStateDirectoryRebuildsTheSameTableFromTheAcceptedTopic() {
    moderation.policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, policy(4, byLabel(null, 0.9f, null), List.of()));
    moderation.policies.pipeInput("cam-1", STRICT);
    moderation.rawPolicies.pipeInput("cam-1", "garbage".getBytes(StandardCharsets.UTF_8));
    moderation.policies.pipeInput("cam-1", policy(2, byLabel(null, 2f, null), List.of()));
    moderation.rawPolicies.pipeInput("cam-3", new byte[] {(byte) 0xC3, 1, 2});
    List<TestRecord<String, byte[]>> accepted = moderation.accepted.readRecordsToList();
    // what compaction leaves of the accepted topic: the last record of each key
    List<TestRecord<String, byte[]>> compacted = new ArrayList<>();
    for (int i = 0; i < accepted.size(); i++) {
      String key = accepted.get(i).key();
      if (accepted.subList(i + 1, accepted.size()).stream().noneMatch(r -> r.key().equals(key))) {
        compacted.add(accepted.get(i));
      }
    }
    moderation.close();

    moderation = new ModerationDriver(state.resolve("empty"));
    compacted.forEach(moderation.acceptedIn::pipeInput);
    ModerationDecision d = moderation.judge(prediction("cam-1", NOW, "cat", 0.6f));
    assertThat(d.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(d.getPolicySource()).isEqualTo("cam-1");
    assertThat(d.getPolicyVersion()).isEqualTo(1);
    assertThat(moderation.judge(prediction("cam-3", NOW, "cat", 0.6f)).getPolicyVersion()).isEqualTo(4);
    assertThat(moderation.table.rejected()).containsOnlyKeys("cam-1", "cam-3");
    assertThat(moderation.table.rejected().get("cam-1").rejection()).contains("any_class.review_at = 2.0");
  }

  @Test
  void anInvalidRecordWrittenStraightToTheAcceptedTopicIsIgnored() {
    moderation.policies.pipeInput("cam-1", STRICT);
    moderation.acceptedIn.pipeInput("cam-1", encode(policy(9, byLabel(null, 1.5f, null), List.of())));
    moderation.acceptedIn.pipeInput("cam-1", "garbage".getBytes(StandardCharsets.UTF_8));
    assertThat(moderation.judge(prediction("cam-1", NOW, "cat", 0.6f)).getPolicyVersion()).isEqualTo(1);
    assertThat(moderation.table.rejected().get("cam-1").rejection()).startsWith("ignored an invalid record at "
        + "moderation-policies.accepted");
  }

  @Test
  void everyUploadTheClassifierDeadLetteredGetsNotClassifiedAndOneThatNamesNoEventIsCounted() {
    moderation.policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, STRICT);
    UUID oversize = UUID.randomUUID();
    RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetterHeaders.REASON, "RECORD_TOO_LARGE".getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterHeaders.EVENT_ID, oversize.toString().getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterHeaders.EVENT_SOURCE_ID, "uploads-eu".getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterHeaders.TRUNCATED_FROM, "9000000".getBytes(StandardCharsets.UTF_8));
    moderation.classifierDeadLetters.pipeInput(new TestRecord<>(null, new byte[] {(byte) 0xC3, 1}, headers, NOW));
    ModerationDecision d = moderation.decisions.readValue();
    assertThat(d.getEventId()).isEqualTo(oversize);
    assertThat(d.getSourceId()).isEqualTo("uploads-eu");
    assertThat(d.getVerdict()).isEqualTo(Verdict.NOT_CLASSIFIED);
    assertThat(d.getNote()).startsWith("dead-lettered by the classifier: RECORD_TOO_LARGE");

    RecordHeaders badId = new RecordHeaders();
    badId.add(DeadLetterHeaders.REASON, "INVALID_EVENT".getBytes(StandardCharsets.UTF_8));
    badId.add(DeadLetterHeaders.EVENT_ID, "not-a-uuid".getBytes(StandardCharsets.UTF_8));
    moderation.classifierDeadLetters.pipeInput(new TestRecord<>("cam-1", new byte[] {1}, badId, NOW));
    assertThat(moderation.decisions.isEmpty()).isTrue();
    assertThat(moderation.deadLetters.isEmpty()).isTrue();
    assertThat(moderation.events.unidentified).containsExactly("INVALID_EVENT");
  }

  private static String header(TestRecord<?, ?> record, String key) {
    return DeadLetterHeaders.get(record.headers(), key);
  }

  private static List<String> headers(TestRecord<?, ?> record, String key) {
    List<String> values = new ArrayList<>();
    for (Header h : record.headers().headers(key)) {
      values.add(new String(h.value(), StandardCharsets.UTF_8));
    }
    return values;
  }
}
