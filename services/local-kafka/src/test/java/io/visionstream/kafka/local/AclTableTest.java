package io.visionstream.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.kafka.local.LocalKafkaAcls.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.api.Test;

/** The ACL table of services/local-kafka/README.md is exactly what the secure broker creates. */
class AclTableTest {

  @Test
  void theReadmeListsEveryAclTheBrokerCreatesAndNoOther() throws IOException {
    List<String> documented = Files.readAllLines(Path.of("README.md")).stream()
        .filter(l -> l.startsWith("| `User:")).toList();
    assertThat(documented).containsExactlyElementsOf(LocalKafkaAcls.RULES.stream().map(AclTableTest::row).toList());
  }

  @Test
  void noUserButTheAdminMayAlterTheClusterOrReadAnotherComponentsOutput() {
    assertThat(LocalKafkaAcls.RULES).noneMatch(r -> r.type() == org.apache.kafka.common.resource.ResourceType.CLUSTER);
    assertThat(LocalKafkaAcls.RULES).filteredOn(r -> r.user() == LocalKafkaSecurity.User.CLASSIFIER)
        .noneMatch(r -> r.name().startsWith("moderation") || r.name().equals("camera-tags"));
    assertThat(LocalKafkaAcls.RULES).filteredOn(r -> r.user() == LocalKafkaSecurity.User.MODERATION)
        .noneMatch(r -> r.name().equals("image-events"));
    assertThat(LocalKafkaAcls.RULES).noneMatch(r -> r.user() == LocalKafkaSecurity.User.ADMIN);
  }

  static String row(Rule rule) {
    String name = "`" + rule.name() + (rule.pattern() == PatternType.PREFIXED ? "*`" : "`");
    return "| `" + rule.user().principal() + "` | " + rule.type().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " "
        + name + " | " + rule.operation().name() + " | " + rule.why() + " |";
  }
}
