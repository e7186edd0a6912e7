package io.visionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose stack's files against the services and the broker: every variable one they read,
 * images at this build's version, Prometheus scraping every service on its real port and path, and
 * the loopback variant on host networking and 127.0.0.1 only. deploy/compose/smoke runs the stack.
 */
class ComposeFilesTest {

  private static final Path COMPOSE = Rendered.deployDir().resolve("compose");
  private static final Map<String, ServiceVariables> SERVICES = Map.of("classifier-1", ServiceVariables.CLASSIFIER,
      "classifier-2", ServiceVariables.CLASSIFIER, "moderation", ServiceVariables.MODERATION);
  /** Variables of the official Kafka image that are not broker properties. */
  private static final Set<String> KAFKA_IMAGE_VARIABLES = Set.of("CLUSTER_ID", "KAFKA_HEAP_OPTS", "KAFKA_OPTS");

  /** The stack as docker compose merges docker-compose.yml with a variant's files, in order. */
  private static Map<String, Map<String, Object>> stack(String... variants) throws IOException {
    Map<String, Map<String, Object>> services = new LinkedHashMap<>();
    List<String> files = new ArrayList<>(List.of("docker-compose.yml"));
    files.addAll(List.of(variants));
    for (String file : files) {
      services(load(COMPOSE.resolve(file))).forEach((name, service) -> {
        Map<String, Object> merged = services.computeIfAbsent(name, n -> new LinkedHashMap<>());
        service.forEach((key, value) -> {
          if (key.equals("environment") && merged.get(key) instanceof Map<?, ?> earlier) {
            Map<String, Object> env = new LinkedHashMap<>(cast(earlier));
            env.putAll(cast(value));
            merged.put(key, env);
          } else {
            merged.put(key, value);
          }
        });
      });
    }
    return services;
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker-compose.override.yml", "loopback.yml", "camera.yml"})
  void everyVariableIsOneTheServicesAndTheBrokerRead(String variant) throws IOException {
    Map<String, Map<String, Object>> stack = stack(variant);
    SERVICES.forEach((name, service) -> assertThat(service.unread(environment(stack, name))).as(name).isEmpty());
    Set<String> broker = Set.copyOf(KafkaConfig.configDef().names());
    List<String> unknown = new ArrayList<>();
    environment(stack, "kafka").keySet().stream().filter(v -> !KAFKA_IMAGE_VARIABLES.contains(v)).forEach(v -> {
      if (!v.startsWith("KAFKA_") || !broker.contains(brokerProperty(v))) {
        unknown.add(v + " (" + brokerProperty(v) + ")");
      }
    });
    assertThat(unknown).as("variables that are no broker property").isEmpty();
    assertThat(environment(stack, "classifier-1").get("VISIONSTREAM_CLASSIFIER_DELIVERY_TRANSACTIONAL_ID"))
        .isNotBlank().isNotEqualTo(environment(stack, "classifier-2").get("VISIONSTREAM_CLASSIFIER_DELIVERY_TRANSACTIONAL_ID"));
  }

  @Test
  void theCameraVariantDropsStaleFramesAndDecodesJpegsAtADctScaleOnEveryClassifier() throws IOException {
    Map<String, Map<String, Object>> stack = stack("loopback.yml", "camera.yml");
    for (String classifier : List.of("classifier-1", "classifier-2")) {
      Map<String, String> env = environment(stack, classifier);
      assertThat(env).containsEntry("VISIONSTREAM_CLASSIFIER_LOAD_POLICY", "drop-stale")
          .containsEntry("VISIONSTREAM_CLASSIFIER_MODEL_PREPROCESSING_MODE", "fast")
          .containsKey("VISIONSTREAM_CLASSIFIER_DELIVERY_TRANSACTIONAL_ID");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker-compose.override.yml", "loopback.yml"})
  void prometheusScrapesEveryServiceOnItsPortAndPath(String variant) throws IOException {
    Map<String, Map<String, Object>> stack = stack(variant);
    boolean loopback = variant.equals("loopback.yml");
    String config = loopback ? "prometheus/loopback.yml" : "prometheus/bridge.yml";
    assertThat(String.valueOf(stack.get("prometheus").get("volumes"))).contains("./" + config + ":/etc/prometheus/prometheus.yml");
    List<String> targets = new ArrayList<>();
    for (Map<String, Object> job : list(load(COMPOSE.resolve(config)).get("scrape_configs"))) {
      assertThat(job.get("metrics_path")).isEqualTo("/prometheus");
      for (Map<String, Object> group : list(job.get("static_configs"))) {
        targets.addAll(cast(group.get("targets")));
      }
    }
    List<String> expected = new ArrayList<>();
    for (String service : SERVICES.keySet()) {
      // the management port: where /prometheus is
      String port = environment(stack, service).getOrDefault("ENDPOINTS_ALL_PORT",
          service.startsWith("classifier") ? "8081" : "8082");
      expected.add((loopback ? "127.0.0.1" : service) + ":" + port);
    }
    assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker-compose.override.yml", "loopback.yml"})
  void imagesAreThisBuildsAndTheBrokerMatchesTheClients(String variant) throws IOException {
    Map<String, Map<String, Object>> stack = stack(variant);
    String version = K8sManifestsTest.version();
    assertThat(defaultImage(stack, "classifier-1")).isEqualTo("visionstream/classifier:" + version + "-fashion-mnist");
    assertThat(defaultImage(stack, "moderation")).isEqualTo("visionstream/moderation:" + version);
    assertThat(defaultImage(stack, "kafka")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
    assertThat(defaultImage(stack, "topics")).isEqualTo(defaultImage(stack, "kafka"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"loopback.yml"})
  void theLoopbackVariantUsesHostNetworkingOn127001Only(String variant) throws IOException {
    Map<String, Map<String, Object>> stack = stack(variant);
    stack.forEach((name, service) -> assertThat(service.get("network_mode")).as(name).isEqualTo("host"));
    stack.forEach((name, service) -> assertThat(service).as(name).doesNotContainKey("ports"));
    String files = Files.readString(COMPOSE.resolve(variant)) + Files.readString(COMPOSE.resolve("prometheus/loopback.yml"));
    Matcher address = Pattern.compile("\\b(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})\\b").matcher(files);
    while (address.find()) {
      assertThat(address.group(1)).isEqualTo("127.0.0.1");
    }
    assertThat(environment(stack, "kafka").get("KAFKA_LISTENERS")).doesNotContain("://:");
    assertThat(environment(stack, "classifier-1")).doesNotContainKey("MICRONAUT_SERVER_HOST");
  }

  @org.junit.jupiter.api.Test
  void theSecureVariantRunsTheSecuredBrokerWithEveryTopicAndEachServiceLogsInAsItsOwnUser() throws IOException {
    Map<String, Map<String, Object>> stack = stack("loopback.yml", "secure.yml");
    List<String> command = cast(stack.get("kafka").get("command"));
    assertThat(command).contains("--secure");
    String dataDir = command.get(command.indexOf("--data-dir") + 1);
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < command.size() - 1; i++) {
      if (command.get(i).equals("--topic")) {
        topics.add(command.get(i + 1));
      }
    }
    // the same topics and partitions as the plain stack's topics job
    List<String> plain = new ArrayList<>();
    List<String> script = cast(services(load(COMPOSE.resolve("docker-compose.yml"))).get("topics").get("command"));
    Matcher create = Pattern.compile("(?m)^create (\\S+) (\\d+)").matcher(String.join("\n", script));
    while (create.find()) {
      plain.add(create.group(1) + ":" + create.group(2));
    }
    assertThat(topics).isNotEmpty().containsExactlyInAnyOrderElementsOf(plain);
    Map<String, String> users = Map.of("classifier-1", "classifier", "classifier-2", "classifier", "moderation", "moderation");
    users.forEach((service, user) -> {
      Map<String, String> env = environment(stack, service);
      assertThat(env.get("VISIONSTREAM_KAFKA_CLIENT_CONFIG")).as(service).isEqualTo(dataDir + "/secure/" + user + ".properties");
      assertThat(SERVICES.get(service).unread(env)).as(service).isEmpty();
      List<String> volumes = cast(stack.get(service).get("volumes"));
      assertThat(volumes).as(service).contains("kafka-secure:" + dataDir + ":ro");
    });
    assertThat(stack.get("kafka").get("image").toString()).contains("visionstream/loadtest:" + K8sManifestsTest.version());
  }

  /** The official image's rule: KAFKA_ dropped, ___ → -, __ → _, _ → ., lower case. */
  static String brokerProperty(String variable) {
    return variable.replaceFirst("^KAFKA_", "").toLowerCase(Locale.ROOT).replace("___", "-").replace("__", "@")
        .replace('_', '.').replace('@', '_');
  }

  private static String defaultImage(Map<String, Map<String, Object>> stack, String service) {
    String image = String.valueOf(stack.get(service).get("image"));
    Matcher m = Pattern.compile("^\\$\\{[A-Z_]+:-([^}]+)}$").matcher(image);
    return m.matches() ? m.group(1) : image;
  }

  private static Map<String, String> environment(Map<String, Map<String, Object>> stack, String service) {
    Map<String, String> env = new LinkedHashMap<>();
    Object declared = stack.get(service).get("environment");
    if (declared != null) {
      Map<Object, Object> values = cast(declared);
      values.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
    }
    return env;
  }

  private static Map<String, Map<String, Object>> services(Map<String, Object> file) {
    return cast(file.get("services"));
  }

  private static Map<String, Object> load(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file)) {
      return new Yaml().load(reader);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }

  private static List<Map<String, Object>> list(Object value) {
    return cast(value);
  }
}
