package io.visionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.config.TopicsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each overlay of deploy/k8s as kubectl kustomize renders it: every object valid against the
 * Kubernetes schema, every reference resolved, every variable one the services read, ports, probes
 * and the autoscaler consistent with the services and topics. ManifestsAgainstServicesIT then runs
 * the services with these settings.
 */
class K8sManifestsTest {

  static final String CLASSIFIER = "visionstream-classifier";
  static final String MODERATION = "visionstream-moderation";

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void everyObjectIsValidAgainstTheKubernetesSchemaOrIsAKedaObjectWithItsRequiredFields(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    List<String> problems = new ArrayList<>();
    for (JsonNode object : rendered.objects) {
      String id = KubernetesSchemas.type(object) + " " + object.path("metadata").path("name").asText();
      if (KubernetesSchemas.covers(object)) {
        KubernetesSchemas.problem(object).ifPresent(p -> problems.add(id + ": " + p));
      } else if (KubernetesSchemas.type(object).startsWith("keda.sh/v1alpha1/")) {
        assertThat(object.path("metadata").path("namespace").asText()).as(id).isEqualTo("visionstream");
      } else {
        problems.add(id + ": not a kind these manifests are checked for");
      }
    }
    assertThat(problems).isEmpty();
    assertThat(rendered.objects).extracting(o -> o.path("kind").asText())
        .contains("Deployment", "PodDisruptionBudget", "ConfigMap", "Secret", "ScaledObject", "Job");
  }

  @Test
  void theSchemaCheckFindsAnUnknownFieldAndAMissingRequiredOne() {
    Rendered rendered = Rendered.overlay("cpu");
    ObjectNode misspelt = rendered.get("Deployment", CLASSIFIER).deepCopy();
    ((ObjectNode) misspelt.at("/spec/template/spec/containers/0")).set("livenessProbes",
        misspelt.at("/spec/template/spec/containers/0/livenessProbe"));
    assertThat(KubernetesSchemas.problem(misspelt)).get().asString().contains("livenessProbes");

    ObjectNode unnamed = rendered.get("Deployment", CLASSIFIER).deepCopy();
    ((ObjectNode) unnamed.at("/spec/template/spec/containers/0")).remove("name");
    assertThat(KubernetesSchemas.problem(unnamed)).get().asString().contains("name");

    ObjectNode notAList = rendered.get("Deployment", CLASSIFIER).deepCopy();
    ((ObjectNode) notAList.at("/spec/template/spec/containers/0")).set("ports",
        notAList.at("/spec/template/spec/containers/0/ports/0"));
    assertThat(KubernetesSchemas.problem(notAList)).get().asString().contains("wrong type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void everyVariableIsOneTheServiceReadsAndEveryReferenceResolves(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    Map<String, ServiceVariables> services = Map.of(CLASSIFIER, ServiceVariables.CLASSIFIER, MODERATION,
        ServiceVariables.MODERATION);
    services.forEach((deployment, service) -> {
      JsonNode container = rendered.container(deployment);
      assertThat(service.unread(rendered.declaredEnvironment(container))).as(deployment).isEmpty();
      // every ConfigMap key and Secret key referred to exists (environment() throws otherwise)
      assertThat(rendered.environment(container, "10.0.0.1")).isNotEmpty();
      for (JsonNode volume : rendered.podSpec(deployment).path("volumes")) {
        if (volume.has("secret")) {
          for (JsonNode item : volume.path("secret").path("items")) {
            rendered.secretValue(volume.path("secret").path("secretName").asText(), item.path("key").asText());
          }
        }
        if (volume.has("persistentVolumeClaim")) {
          rendered.get("PersistentVolumeClaim", volume.path("persistentVolumeClaim").path("claimName").asText());
        }
      }
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void portsProbesAndScrapeAnnotationsAgreeWithTheServersPort(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    for (String deployment : List.of(CLASSIFIER, MODERATION)) {
      JsonNode container = rendered.container(deployment);
      Map<String, String> env = rendered.environment(container, "10.0.0.1");
      int publicPort = Integer.parseInt(env.get("MICRONAUT_SERVER_PORT"));
      int port = Integer.parseInt(env.get("ENDPOINTS_ALL_PORT"));
      assertThat(port).as("%s has a management port apart from its public port", deployment).isNotEqualTo(publicPort);
      assertThat(env.get("MICRONAUT_SERVER_HOST")).as("%s listens on the pod's address", deployment).isEqualTo("0.0.0.0");
      assertThat(port(container, "http").path("containerPort").asInt()).as(deployment).isEqualTo(publicPort);
      assertThat(port(container, "management").path("containerPort").asInt()).as(deployment).isEqualTo(port);
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        JsonNode get = container.path(probe).path("httpGet");
        assertThat(get.path("port").asText()).as("%s %s port", deployment, probe).isIn("management", String.valueOf(port));
      }
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/liveness");
      assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/liveness");
      assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/readiness");
      JsonNode annotations = rendered.get("Deployment", deployment).at("/spec/template/metadata/annotations");
      assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
      assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(port));
      assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/prometheus");
      // the pod budget and (for moderation) the Service select this deployment's pods
      JsonNode podLabels = rendered.get("Deployment", deployment).at("/spec/template/metadata/labels");
      assertThat(selects(rendered.get("PodDisruptionBudget", deployment).at("/spec/selector/matchLabels"), podLabels)).isTrue();
    }
    JsonNode service = rendered.get("Service", MODERATION);
    assertThat(selects(service.path("spec").path("selector"), rendered.get("Deployment", MODERATION)
        .at("/spec/template/metadata/labels"))).isTrue();
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void theAutoscalerWatchesTheClassifiersGroupOnItsInputTopicWithinThePartitionCount(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    Map<String, String> env = rendered.environment(rendered.container(CLASSIFIER), "10.0.0.1");
    JsonNode scaled = rendered.get("ScaledObject", CLASSIFIER);
    assertThat(scaled.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
    assertThat(scaled.at("/spec/scaleTargetRef/name").asText()).isEqualTo(CLASSIFIER);
    JsonNode triggers = scaled.at("/spec/triggers");
    assertThat(triggers).hasSize(1);
    JsonNode trigger = triggers.get(0);
    assertThat(trigger.path("type").asText()).isEqualTo("kafka");
    JsonNode metadata = trigger.path("metadata");
    String topic = env.getOrDefault("VISIONSTREAM_CLASSIFIER_TOPICS_INPUT", TopicsConfig.DEFAULT_INPUT);
    assertThat(metadata.path("topic").asText()).isEqualTo(topic);
    assertThat(metadata.path("consumerGroup").asText())
        .isEqualTo(env.getOrDefault("VISIONSTREAM_CLASSIFIER_DELIVERY_GROUP_ID", DeliveryConfig.DEFAULT_GROUP_ID));
    assertThat(metadata.path("bootstrapServers").asText()).isEqualTo(env.get("VISIONSTREAM_KAFKA_BOOTSTRAP_SERVERS"));
    assertThat(Integer.parseInt(metadata.path("lagThreshold").asText())).isPositive();
    int partitions = Topics.of(rendered).partitions(topic);
    int max = scaled.at("/spec/maxReplicaCount").asInt();
    assertThat(max).as("maxReplicaCount against %s's %d partitions", topic, partitions).isBetween(1, partitions);
    assertThat(scaled.at("/spec/minReplicaCount").asInt()).isBetween(1, max);

    JsonNode auth = rendered.get("TriggerAuthentication", trigger.at("/authenticationRef/name").asText());
    for (JsonNode ref : auth.at("/spec/secretTargetRef")) {
      String value = rendered.secretValue(ref.path("name").asText(), ref.path("key").asText());
      switch (ref.path("parameter").asText()) {
        case "sasl" -> assertThat(value).isIn("plaintext", "scram_sha256", "scram_sha512");
        case "tls" -> assertThat(value).isIn("enable", "disable");
        default -> assertThat(value).isNotBlank();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void everyTopicTheServicesUseIsCreatedByTheTopicsJob(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    Topics topics = Topics.of(rendered);
    Map<String, String> classifier = rendered.environment(rendered.container(CLASSIFIER), "10.0.0.1");
    Map<String, String> moderation = rendered.environment(rendered.container(MODERATION), "10.0.0.1");
    List<String> used = new ArrayList<>(List.of(
        classifier.getOrDefault("VISIONSTREAM_CLASSIFIER_TOPICS_INPUT", TopicsConfig.DEFAULT_INPUT),
        classifier.getOrDefault("VISIONSTREAM_CLASSIFIER_TOPICS_PREDICTIONS", TopicsConfig.DEFAULT_PREDICTIONS),
        classifier.getOrDefault("VISIONSTREAM_CLASSIFIER_TOPICS_DEAD_LETTERS", TopicsConfig.DEFAULT_DEAD_LETTERS)));
    moderation.forEach((name, value) -> {
      if (name.startsWith("VISIONSTREAM_MODERATION_") || name.equals("VISIONSTREAM_TAGGING_TAGS")) {
        used.add(value);
      }
    });
    assertThat(topics.names()).containsAll(used);
    // the classifier's predictions are what moderation reads
    assertThat(moderation.get("VISIONSTREAM_MODERATION_PREDICTIONS")).isEqualTo(used.get(1));
    assertThat(moderation.get("VISIONSTREAM_MODERATION_CLASSIFIER_DEAD_LETTERS")).isEqualTo(used.get(2));
  }

  @Test
  void theGpuOverlayPutsTheGpuBuildOnOneGpuOfAGpuNodeAndTheCpuOverlayNowhereNear() {
    Rendered gpu = Rendered.overlay("gpu");
    JsonNode classifier = gpu.container(CLASSIFIER);
    assertThat(classifier.path("image").asText()).isEqualTo("visionstream/classifier:" + version() + "-gpu");
    assertThat(classifier.at("/resources/limits/nvidia.com~1gpu").asText()).isEqualTo("1");
    assertThat(classifier.at("/resources/requests/nvidia.com~1gpu").asText()).isEqualTo("1");
    JsonNode spec = gpu.podSpec(CLASSIFIER);
    assertThat(spec.at("/nodeSelector/nvidia.com~1gpu.present").asText()).isEqualTo("true");
    assertThat(spec.at("/nodeSelector/kubernetes.io~1arch").asText()).isEqualTo("amd64");
    assertThat(StreamSupport.stream(spec.path("tolerations").spliterator(), false)
        .anyMatch(t -> t.path("key").asText().equals("nvidia.com/gpu") && t.path("effect").asText().equals("NoSchedule")))
        .isTrue();
    assertThat(gpu.container(MODERATION).toString()).doesNotContain("nvidia.com/gpu");

    Rendered cpu = Rendered.overlay("cpu");
    assertThat(cpu.container(CLASSIFIER).path("image").asText()).isEqualTo("visionstream/classifier:" + version());
    assertThat(cpu.objects.toString()).doesNotContain("nvidia.com/gpu");
    for (Rendered rendered : List.of(cpu, gpu)) {
      assertThat(rendered.container(MODERATION).path("image").asText()).isEqualTo("visionstream/moderation:" + version());
    }
  }

  static String version() {
    return Optional.ofNullable(System.getProperty("visionstream.version")).orElseThrow();
  }

  private static JsonNode port(JsonNode container, String name) {
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").asText().equals(name)) {
        return port;
      }
    }
    throw new AssertionError(container.path("name").asText() + " has no port named " + name);
  }

  /** Whether every label of {@code selector} is on {@code labels}. */
  private static boolean selects(JsonNode selector, JsonNode labels) {
    Set<String> missing = new java.util.HashSet<>();
    selector.fields().forEachRemaining(e -> {
      if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
        missing.add(e.getKey());
      }
    });
    return !selector.isEmpty() && missing.isEmpty();
  }
}
