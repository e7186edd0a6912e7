package io.visionstream.moderation.topology;

import static io.visionstream.moderation.topology.Records.byIndex;
import static io.visionstream.moderation.topology.Records.byLabel;
import static io.visionstream.moderation.topology.Records.policy;
import static io.visionstream.moderation.topology.Records.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.moderation.policy.PolicyEvaluator;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.Verdict;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ModerationTopologyTest {

  static final Instant NOW = ModerationDriver.NOW;

  @TempDir Path state;
  ModerationDriver moderation;
  TestInputTopic<String, ModerationPolicy> policies;
  TestInputTopic<String, byte[]> classifierDeadLetters;
  TestOutputTopic<String, ModerationDecision> decisions;
  TestOutputTopic<String, ModerationDecision> review;
  TestOutputTopic<String, byte[]> deadLetters;

  @BeforeEach
  void start() {
    moderation = new ModerationDriver(state);
    policies = moderation.policies;
    classifierDeadLetters = moderation.classifierDeadLetters;
    decisions = moderation.decisions;
    review = moderation.review;
    deadLetters = moderation.deadLetters;
  }

  @AfterEach
  void stop() {
    moderation.close();
  }

  private ModerationDecision judge(Prediction p) {
    return moderation.judge(p);
  }

  static List<Object[]> scoresAroundThresholds() {
    float review = 0.5f;
    float block = 0.8f;
    return List.of(
        new Object[] {Math.nextDown(review), Verdict.ALLOW},
        new Object[] {review, Verdict.REVIEW},
        new Object[] {Math.nextUp(review), Verdict.REVIEW},
        new Object[] {Math.nextDown(block), Verdict.REVIEW},
        new Object[] {block, Verdict.BLOCK},
        new Object[] {Math.nextUp(block), Verdict.BLOCK});
  }

  @ParameterizedTest(name = "score {0} -> {1}")
  @MethodSource("scoresAroundThresholds")
  void verdictAtJustBelowAndJustAboveEachThresholdByLabelByIndexAndForAnyClass(float score, Verdict expected) {
    policies.pipeInput("cam-label", policy(3, null, List.of(), byLabel("revolver", 0.5f, 0.8f)));
    policies.pipeInput("cam-index", policy(4, null, List.of(), byIndex(763, 0.5f, 0.8f)));
    policies.pipeInput("cam-any", policy(5, byLabel(null, 0.5f, 0.8f), List.of()));
    for (String source : List.of("cam-label", "cam-index", "cam-any")) {
      ModerationDecision d = judge(prediction(source, NOW, "revolver", score));
      assertThat(d.getVerdict()).as(source).isEqualTo(expected);
      if (expected == Verdict.ALLOW) {
        assertThat(d.getReasons()).isEmpty();
      } else {
        assertThat(d.getReasons()).singleElement().satisfies(r -> {
          assertThat(r.getLabel()).isEqualTo("revolver");
          assertThat(r.getClassIndex()).isEqualTo(763);
          assertThat(r.getScore()).isEqualTo(score);
          assertThat(r.getThreshold()).isEqualTo(expected == Verdict.BLOCK ? 0.8f : 0.5f);
          assertThat(r.getVerdict()).isEqualTo(expected);
        });
      }
      assertThat(d.getPolicySource()).isEqualTo(source);
      assertThat(d.getDecidedAt()).isEqualTo(NOW);
      List<TestRecord<String, ModerationDecision>> reviewed = review.readRecordsToList();
      assertThat(reviewed).hasSize(expected == Verdict.ALLOW ? 0 : 1);
    }
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void theMostSevereClassDecidesAndAllowListedLabelsEscapeTheAnyClassRuleOnly() {
    policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, policy(7, byLabel(null, 0.3f, null), List.of("tabby", "revolver"),
        byLabel("revolver", null, 0.6f)));
    ModerationDecision d = judge(prediction("cam-1", NOW, "tabby", 0.5f, "revolver", 0.35f, "cat", 0.31f));
    // tabby allow-listed; revolver's own rule (block at 0.6) not reached although on the allow list; cat by any-class
    assertThat(d.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(d.getReasons()).extracting(r -> r.getLabel()).containsExactly("cat");
    ModerationDecision blocked = judge(prediction("cam-1", NOW, "cat", 0.31f, "revolver", 0.61f));
    assertThat(blocked.getVerdict()).isEqualTo(Verdict.BLOCK);
    assertThat(blocked.getReasons()).extracting(r -> r.getVerdict()).containsExactly(Verdict.BLOCK, Verdict.REVIEW);
    assertThat(blocked.getPolicySource()).isEqualTo(PolicyEvaluator.DEFAULT_KEY);
    assertThat(blocked.getPolicyVersion()).isEqualTo(7);
    assertThat(blocked.getModel()).as("copied from the prediction").isNotNull()
        .isEqualTo(prediction("cam-1", NOW, "cat", 0.31f).getModel());
  }

  @Test
  void theDefaultPolicyAppliesToSourcesWithoutTheirOwnAndWithNoPolicyAtAllEverythingGoesToReview() {
    ModerationDecision none = judge(prediction("cam-1", NOW, "cat", 0.9f));
    assertThat(none.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(none.getPolicySource()).isEqualTo(PolicyEvaluator.BUILT_IN);
    assertThat(none.getNote()).contains("no policy for source cam-1");
    policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, policy(1, byLabel(null, 0.95f, null), List.of()));
    policies.pipeInput("cam-2", policy(9, null, List.of(), byLabel("cat", 0.2f, 0.5f)));
    ModerationDecision byDefault = judge(prediction("cam-1", NOW, "cat", 0.9f));
    assertThat(byDefault.getVerdict()).isEqualTo(Verdict.ALLOW);
    assertThat(byDefault.getPolicySource()).isEqualTo(PolicyEvaluator.DEFAULT_KEY);
    assertThat(byDefault.getPolicyVersion()).isEqualTo(1);
    ModerationDecision own = judge(prediction("cam-2", NOW, "cat", 0.9f));
    assertThat(own.getVerdict()).isEqualTo(Verdict.BLOCK);
    assertThat(own.getPolicyVersion()).isEqualTo(9);
    // deleting a source's policy (tombstone) falls back to the default
    policies.pipeInput("cam-2", (ModerationPolicy) null);
    assertThat(judge(prediction("cam-2", NOW, "cat", 0.9f)).getPolicySource()).isEqualTo(PolicyEvaluator.DEFAULT_KEY);
    // every decision written is counted by its verdict
    assertThat(moderation.events.decided).containsExactly(Verdict.REVIEW, Verdict.ALLOW, Verdict.BLOCK, Verdict.ALLOW);
  }

  @Test
  void aPolicyChangeMidStreamAppliesToEveryPredictionAfterIt() {
    policies.pipeInput("cam-1", policy(1, null, List.of(), byLabel("cat", 0.9f, null)));
    assertThat(judge(prediction("cam-1", NOW, "cat", 0.7f)).getVerdict()).isEqualTo(Verdict.ALLOW);
    assertThat(judge(prediction("cam-1", NOW, "cat", 0.7f)).getPolicyVersion()).isEqualTo(1);
    policies.pipeInput("cam-1", policy(2, null, List.of(), byLabel("cat", 0.6f, null)));
    ModerationDecision after = judge(prediction("cam-1", NOW, "cat", 0.7f));
    assertThat(after.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(after.getPolicyVersion()).isEqualTo(2);
  }

  @Test
  void skippedAndDeadLetteredImagesAreNotClassifiedNeverAllowedAndGoToReview() {
    policies.pipeInput(PolicyEvaluator.DEFAULT_KEY, policy(1, byLabel(null, 0.99f, null), List.of()));
    ModerationDecision skipped = judge(Records.skipped("cam-1", NOW));
    assertThat(skipped.getVerdict()).isEqualTo(Verdict.NOT_CLASSIFIED);
    assertThat(skipped.getNote()).isEqualTo("prediction status SKIPPED_STALE");
    UUID id = UUID.randomUUID();
    RecordHeaders headers = new RecordHeaders();
    headers.add("visionstream.event.id", id.toString().getBytes(StandardCharsets.UTF_8));
    headers.add("visionstream.error.reason", "IMAGE_REJECTED".getBytes(StandardCharsets.UTF_8));
    headers.add("visionstream.error.message", "truncated JPEG".getBytes(StandardCharsets.UTF_8));
    classifierDeadLetters.pipeInput(new TestRecord<>("cam-7", new byte[] {1, 2, 3}, headers, NOW));
    ModerationDecision dead = decisions.readValue();
    assertThat(dead.getEventId()).isEqualTo(id);
    assertThat(dead.getSourceId()).isEqualTo("cam-7");
    assertThat(dead.getVerdict()).isEqualTo(Verdict.NOT_CLASSIFIED);
    assertThat(dead.getNote()).isEqualTo("dead-lettered by the classifier: IMAGE_REJECTED: truncated JPEG");
    assertThat(review.readValuesToList()).extracting(ModerationDecision::getVerdict)
        .containsExactly(Verdict.NOT_CLASSIFIED, Verdict.NOT_CLASSIFIED);
    // a classifier dead letter without an event id (unreadable input) identifies no upload: no decision, counted
    classifierDeadLetters.pipeInput("cam-7", new byte[] {9});
    assertThat(decisions.isEmpty()).isTrue();
    assertThat(moderation.events.unidentified).containsExactly("null");
  }

  @Test
  void aCorruptRecordGoesToTheDeadLetterTopicWithItsBytesAndLocationAndTheNextIsProcessed() {
    byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
    moderation.predictions.pipeInput("cam-1", garbage);
    moderation.predictions.pipeInput("cam-1", (byte[]) null);
    Prediction next = prediction("cam-1", NOW, "cat", 0.1f);
    ModerationDecision decision = judge(next);
    assertThat(decision.getEventId()).isEqualTo(next.getEventId());
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(2);
    TestRecord<String, byte[]> first = dead.get(0);
    assertThat(first.key()).isEqualTo("cam-1");
    assertThat(first.value()).isEqualTo(garbage);
    assertThat(header(first, DeadLetterHeaders.REASON)).isEqualTo("UNREADABLE_PREDICTION");
    assertThat(header(first, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("predictions");
    assertThat(header(first, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(first, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(first, DeadLetterHeaders.MESSAGE)).isNotBlank();
    assertThat(header(dead.get(1), DeadLetterHeaders.MESSAGE)).contains("tombstone");
    assertThat(header(dead.get(1), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
  }

  static String header(TestRecord<?, ?> record, String key) {
    return DeadLetterHeaders.get(record.headers(), key);
  }
}
