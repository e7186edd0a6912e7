package io.visionstream.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets never printed; the Kafka client configuration file applied under the service's prefix, or refused. */
class SecretsAndClientConfigTest {

  private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
      + "username=\"classifier\" password=\"s3cret-Pa55\";";

  @TempDir Path dir;

  @Test
  void secretSettingsAndPasswordsInTextAreRedacted() {
    assertThat(Secrets.shown("visionstream.kafka.properties.sasl.jaas.config", JAAS)).isEqualTo(Secrets.REDACTED);
    assertThat(Secrets.shown("kafka.ssl.truststore.password", "x")).isEqualTo(Secrets.REDACTED);
    assertThat(Secrets.shown("kafka.ssl.truststore.location", "/etc/ca.p12")).isEqualTo("/etc/ca.p12");
    assertThat(Secrets.scrub("login failed: " + JAAS)).doesNotContain("s3cret-Pa55").contains("password=" + Secrets.REDACTED);
    assertThat(Secrets.scrub("ssl.keystore.password=abc, next")).isEqualTo("ssl.keystore.password=" + Secrets.REDACTED + ", next");
    assertThat(new SettingsProblem("visionstream.kafka.properties.sasl.jaas.config", JAAS, "system property", "allowed: text")
        .toString()).doesNotContain("s3cret-Pa55").contains(Secrets.REDACTED);
  }

  @Test
  void theFilesEntriesApplyUnderThePrefix() throws Exception {
    Path file = dir.resolve("classifier.properties");
    Files.writeString(file, "security.protocol=SASL_SSL\nsasl.jaas.config=" + JAAS.replace("\"", "\\\"") + "\n");
    try (ApplicationContext context = context(Map.of(KafkaClientConfigFile.KEY, file.toString()))) {
      KafkaClientConfigFile.Loaded loaded = KafkaClientConfigFile.load(context.getEnvironment(), "kafka.");
      assertThat(loaded.problems()).isEmpty();
      assertThat(loaded.source()).hasValueSatisfying(source -> {
        assertThat(source.get("kafka.security.protocol")).isEqualTo("SASL_SSL");
        assertThat(source.get("kafka.sasl.jaas.config").toString()).contains("username=\"classifier\"");
      });
    }
  }

  @Test
  void aMissingFileOrAnEntrySetTwiceStopsStartUpWithoutPrintingTheSecret() throws Exception {
    try (ApplicationContext context = context(Map.of(KafkaClientConfigFile.KEY, dir.resolve("absent").toString()))) {
      assertThat(KafkaClientConfigFile.load(context.getEnvironment(), "kafka.").problems()).singleElement()
          .satisfies(p -> assertThat(p.toString()).contains(KafkaClientConfigFile.KEY).contains("absent"));
    }
    Path file = dir.resolve("moderation.properties");
    Files.writeString(file, "sasl.jaas.config=" + JAAS.replace("\"", "\\\"") + "\n");
    try (ApplicationContext context = context(Map.of(KafkaClientConfigFile.KEY, file.toString(),
        "kafka.sasl.jaas.config", JAAS))) {
      KafkaClientConfigFile.Loaded loaded = KafkaClientConfigFile.load(context.getEnvironment(), "kafka.");
      assertThat(loaded.source()).isEmpty();
      assertThat(loaded.problems()).singleElement().satisfies(p -> assertThat(p.toString())
          .contains("kafka.sasl.jaas.config").contains("set also in " + file).doesNotContain("s3cret-Pa55"));
    }
  }

  @Test
  void aStartUpFailureIsExplainedByTheInnermostMessageThisProjectsCodeRaised() {
    RuntimeException kafka = at("org.apache.kafka.clients.admin.KafkaAdminClient",
        new RuntimeException("Authorization failed."));
    RuntimeException ours = at("io.visionstream.moderation.PolicyTopics", new IllegalStateException(
        "cannot create topic moderation-policies.rejected: User:loadtest is not authorized for topic "
            + "moderation-policies.rejected (an ACL is missing)", kafka));
    RuntimeException framework = at("io.micronaut.context.DefaultBeanContext",
        new RuntimeException("Bean definition [StreamsMetrics] could not be loaded", ours));
    assertThat(ServiceMain.reason(framework)).isEqualTo(ours.getMessage());
    assertThat(ServiceMain.reason(kafka)).isEqualTo("Authorization failed.");
  }

  private static RuntimeException at(String className, RuntimeException e) {
    e.setStackTrace(new StackTraceElement[] {new StackTraceElement(className, "run", "X.java", 1)});
    return e;
  }

  private static ApplicationContext context(Map<String, Object> properties) {
    ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(properties).build();
    Environment environment = context.getEnvironment();
    environment.start();
    return context;
  }
}
