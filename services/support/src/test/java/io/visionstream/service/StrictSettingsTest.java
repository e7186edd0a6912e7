package io.visionstream.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrictSettingsTest {

  enum Guarantee { AT_LEAST_ONCE, EXACTLY_ONCE }

  @ConfigurationProperties("visionstream.sample.delivery")
  record Delivery(Guarantee guarantee, int maxBatchSize, long maxInFlightBytes, double resumeRatio, Duration commitInterval,
      boolean bf16, String groupId, Map<String, String> properties) {}

  static final SettingsSchema SCHEMA = SettingsSchema.of("test service").owns("visionstream.sample")
      .record(Delivery.class).key("visionstream.sample.streams.guarantee", SettingsSchema.Kind.CHOICE, "exactly_once_v2");

  private static List<SettingsProblem> check(Map<String, Object> properties, Map<String, Object> variables) {
    try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(properties)
        .propertySources(PropertySource.of("env", variables, PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE))
        .build()) {
      Environment environment = context.getEnvironment().start();
      return StrictSettings.check(environment, SCHEMA);
    }
  }

  @Test
  void valuesOfEveryKindThatParseAreAccepted() {
    Map<String, Object> good = new HashMap<>();
    good.put("visionstream.sample.delivery.guarantee", "exactly-once");
    good.put("visionstream.sample.delivery.max-batch-size", "16");
    good.put("visionstream.sample.delivery.max-in-flight-bytes", 268435456L);
    good.put("visionstream.sample.delivery.resume-ratio", "0.5");
    good.put("visionstream.sample.delivery.commit-interval", "500ms");
    good.put("visionstream.sample.delivery.bf16", "true");
    good.put("visionstream.sample.delivery.group-id", "anything");
    good.put("visionstream.sample.delivery.properties.security.protocol", "SASL_SSL");
    good.put("visionstream.sample.streams.guarantee", "exactly_once_v2");
    good.put("visionstream.other-service.key", "not this service's business");
    assertThat(check(good, Map.of("VISIONSTREAM_SAMPLE_DELIVERY_GUARANTEE", "AT_LEAST_ONCE",
        "VISIONSTREAM_SAMPLE_DELIVERY_PROPERTIES_SASL_MECHANISM", "SCRAM-SHA-512", "PATH", "/usr/bin"))).isEmpty();
  }

  @Test
  void everyValueThatDoesNotParseAndEveryUnknownKeyIsAProblemNamingKeyValueOriginAndWhatIsAllowed() {
    Map<String, Object> bad = new HashMap<>();
    bad.put("visionstream.sample.delivery.max-batch-size", "abc");
    bad.put("visionstream.sample.delivery.max-in-flight-bytes", "256MiB");
    bad.put("visionstream.sample.delivery.resume-ratio", "half");
    bad.put("visionstream.sample.delivery.commit-interval", "fast");
    bad.put("visionstream.sample.delivery.bf16", "yes");
    bad.put("visionstream.sample.delivery.max-batch-sise", "8");
    bad.put("visionstream.sample.streams.guarantee", "exactly-once");
    bad.put("visionstream.sampel.delivery.group-id", "g");
    List<SettingsProblem> problems = check(bad, Map.of("VISIONSTREAM_SAMPLE_DELIVERY_GUARANTEE", "exactly-twice",
        "VISIONSTREAM_SAMPLE_DELIVERY_GROUPID", "g"));

    assertThat(problems).extracting(SettingsProblem::key).containsExactlyInAnyOrder(
        "visionstream.sample.delivery.max-batch-size", "visionstream.sample.delivery.max-in-flight-bytes",
        "visionstream.sample.delivery.resume-ratio", "visionstream.sample.delivery.commit-interval",
        "visionstream.sample.delivery.bf16", "visionstream.sample.delivery.max-batch-sise", "visionstream.sample.streams.guarantee",
        "visionstream.sampel.delivery.group-id", "visionstream.sample.delivery.guarantee", "VISIONSTREAM_SAMPLE_DELIVERY_GROUPID");
    assertThat(problem(problems, "visionstream.sample.delivery.guarantee")).isEqualTo(
        "visionstream.sample.delivery.guarantee = exactly-twice (environment variable VISIONSTREAM_SAMPLE_DELIVERY_GUARANTEE)\n"
            + "    allowed: at-least-once, exactly-once");
    assertThat(problem(problems, "visionstream.sample.delivery.max-batch-size")).contains("= abc (")
        .contains("allowed: a whole number");
    assertThat(problem(problems, "visionstream.sample.delivery.max-in-flight-bytes")).contains("a whole number of bytes");
    assertThat(problem(problems, "visionstream.sample.delivery.commit-interval")).contains("a duration such as 500ms");
    assertThat(problem(problems, "visionstream.sample.delivery.max-batch-sise"))
        .contains("did you mean visionstream.sample.delivery.max-batch-size?");
    assertThat(problem(problems, "VISIONSTREAM_SAMPLE_DELIVERY_GROUPID")).contains("did you mean VISIONSTREAM_SAMPLE_DELIVERY_GROUP_ID?");
    assertThat(problem(problems, "visionstream.sampel.delivery.group-id")).contains("unknown key");
    assertThat(problem(problems, "visionstream.sample.streams.guarantee")).contains("allowed: exactly_once_v2");
  }

  @Test
  void anEnvironmentVariableNamesTheSettingItSetsOrNone() {
    assertThat(StrictSettings.settingOf("VISIONSTREAM_SAMPLE_DELIVERY_MAX_BATCH_SIZE", SCHEMA))
        .contains("visionstream.sample.delivery.max-batch-size");
    assertThat(StrictSettings.settingOf("VISIONSTREAM_SAMPLE_DELIVERY_PROPERTIES_SASL_JAAS_CONFIG", SCHEMA))
        .contains("visionstream.sample.delivery.properties.sasl.jaas.config");
    assertThat(StrictSettings.settingOf("VISIONSTREAM_SAMPLE_DELIVERY_MAX_BATCH", SCHEMA)).isEmpty();
    assertThat(StrictSettings.settingOf("VISIONSTREAM_OTHER_THING", SCHEMA)).isEmpty();
    assertThat(StrictSettings.settingOf("JAVA_OPTS", SCHEMA)).isEmpty();
  }

  @Test
  void serviceArgumentsAreHelpOrAnError() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(ServiceMain.checkArguments(new String[] {}, "usage", o, e)).isEqualTo(-1);
    assertThat(ServiceMain.checkArguments(new String[] {"--help"}, "usage text", o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("usage text\n");
    assertThat(ServiceMain.checkArguments(new String[] {"--bogus"}, "usage text", o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("unknown option: --bogus").contains("usage text");
  }

  private static String problem(List<SettingsProblem> problems, String key) {
    return problems.stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow().toString();
  }
}
