package io.visionstream.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.policy.PolicyJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The policy example in README.md is one the policy tool accepts. */
class ReadmeExamplesTest {

  @Test
  void theReadmesJsonPolicyIsValid() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Matcher json = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(json.find()).as("a ```json block in README.md").isTrue();
    ModerationPolicy policy = PolicyJson.read("camera-1", json.group(1));
    assertThat(policy.getVersion()).isEqualTo(3);
    assertThat(policy.getRules()).hasSize(1);
    assertThat(policy.getAllow()).containsExactly("tabby", "Egyptian cat");
  }
}
