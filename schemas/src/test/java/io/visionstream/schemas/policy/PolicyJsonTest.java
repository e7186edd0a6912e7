package io.visionstream.schemas.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.ThresholdRule;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyJsonTest {

  static final String README_FORM = """
      {"version": 3,
       "rules": [{"label": "revolver", "class_index": null, "review_at": 0.1, "block_at": 0.4},
                 {"class_index": 281, "review_at": 0.6}],
       "any_class": {"review_at": 0.9},
       "allow": ["tabby", "Egyptian cat"]}
      """;

  @Test
  void readsTheJsonFormAndWritesWhatItReads() throws Exception {
    ModerationPolicy policy = PolicyJson.read("cam-1", README_FORM);
    assertThat(policy.getVersion()).isEqualTo(3);
    assertThat(policy.getRules()).containsExactly(
        ThresholdRule.newBuilder().setLabel("revolver").setReviewAt(0.1f).setBlockAt(0.4f).build(),
        ThresholdRule.newBuilder().setClassIndex(281).setReviewAt(0.6f).build());
    assertThat(policy.getAnyClass().getReviewAt()).isEqualTo(0.9f);
    assertThat(policy.getAllow()).containsExactly("tabby", "Egyptian cat");
    String written = PolicyJson.write(policy);
    assertThat(written).contains("\"review_at\": 0.1,").doesNotContain("0.100000");
    assertThat(PolicyJson.read("cam-1", written)).isEqualTo(policy);
  }

  @Test
  void readsAvrosOwnJsonEncodingWithWrappedUnions() throws Exception {
    String avroJson = """
        {"version": 3, "rules": [{"label": {"string": "revolver"}, "class_index": null, "block_at": {"float": 0.4},
         "review_at": {"float": 0.1}}],
         "any_class": {"io.visionstream.schemas.ThresholdRule": {"label": null, "class_index": null, "block_at": null,
         "review_at": {"float": 0.9}}}, "allow": ["tabby"]}
        """;
    ModerationPolicy policy = PolicyJson.read("cam-1", avroJson);
    assertThat(policy.getRules().get(0).getLabel()).isEqualTo("revolver");
    assertThat(policy.getAnyClass().getReviewAt()).isEqualTo(0.9f);
  }

  @Test
  void unknownFieldsWrongTypesAndAMissingVersionAreAllReportedNeverIgnored() {
    InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicyJson.read("cam-1", """
        {"rules": [{"label": "cat", "blockAt": 0.5, "review_at": "50%"}], "anyClass": {"review_at": 0.5}, "allow": [3]}
        """));
    // the parts that did parse are checked too: the rule with neither threshold left, and no any_class
    assertThat(e.problems()).extracting(PolicyProblem::field).containsExactlyInAnyOrder("anyClass", "version",
        "rules[0].blockAt", "rules[0].review_at", "allow[0]", "rules[0]");
    assertThat(e.problems()).filteredOn(p -> p.field().equals("anyClass")).singleElement()
        .satisfies(p -> assertThat(p.problem()).contains("did you mean any_class?"));
    assertThat(e.problems()).filteredOn(p -> p.field().equals("rules[0].review_at")).singleElement()
        .satisfies(p -> assertThat(p.value()).isEqualTo("\"50%\""));
  }

  @Test
  void aWellFormedButInvalidPolicyReportsEveryRuleItBreaks() {
    InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class, () -> PolicyJson.read("cam-1",
        "{\"version\": 1, \"any_class\": {\"review_at\": 50, \"block_at\": NaN}}"));
    assertThat(e.problems()).extracting(PolicyProblem::field).containsExactly("any_class.review_at", "any_class.block_at");
    assertThat(e.getMessage()).contains("write 0.5").contains("finite");
  }

  @Test
  void textThatIsNotJsonIsOneProblemWithItsPosition() {
    InvalidPolicyException e = catchThrowableOfType(InvalidPolicyException.class,
        () -> PolicyJson.read("cam-1", "{\"version\": 1,\n \"rules\": [}"));
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("(json)");
      assertThat(p.value()).isEqualTo("line 2, column 12");
    });
  }

  @Test
  void aRecordThatIsNotAPolicyIsRejectedAsUnreadableAndATombstoneDeletes() {
    PolicyCheck garbage = PolicyCheck.of("moderation-policies", "cam-1", "review everything".getBytes(StandardCharsets.UTF_8));
    assertThat(garbage.isRejected()).isTrue();
    assertThat(garbage.rejection().reason()).isEqualTo(PolicyCheck.Reason.POLICY_UNREADABLE);
    assertThat(garbage.rejection().problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("(value)");
      assertThat(p.value()).startsWith("17 bytes, starting 72 65 76");
      assertThat(p.problem()).contains("not Avro single-object encoding");
    });
    assertThat(PolicyCheck.of("t", "cam-1", (byte[]) null).isDeletion()).isTrue();
    assertThat(PolicyCheck.of("t", null, (byte[]) null).isRejected()).isTrue();
    ModerationPolicy valid = ModerationPolicy.newBuilder().setVersion(2)
        .setAnyClass(ThresholdRule.newBuilder().setReviewAt(0.5f).build()).build();
    PolicyCheck ok = PolicyCheck.of("t", "cam-1", AvroSerdes.of(ModerationPolicy.class).serializer().serialize("t", valid));
    assertThat(ok.policy()).isEqualTo(valid);
    assertThat(ok.isRejected()).isFalse();
    ModerationPolicy lax = ModerationPolicy.newBuilder(valid).setRules(List.of(ThresholdRule.newBuilder().setLabel("cat")
        .setReviewAt(1.5f).build())).build();
    PolicyCheck invalid = PolicyCheck.of("t", "cam-1", AvroSerdes.of(ModerationPolicy.class).serializer().serialize("t", lax));
    assertThat(invalid.rejection().reason()).isEqualTo(PolicyCheck.Reason.POLICY_INVALID);
    assertThat(invalid.rejection().summary()).isEqualTo("rules[0].review_at = 1.5: must be a score in [0, 1]");
  }
}
