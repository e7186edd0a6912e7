package io.visionstream.deploy;

import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The objects {@code kubectl kustomize} renders from one overlay of {@code deploy/k8s}. */
final class Rendered {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DEPENDENT_VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  final String overlay;
  final List<JsonNode> objects;

  private Rendered(String overlay, List<JsonNode> objects) {
    this.overlay = overlay;
    this.objects = objects;
  }

  /** The deploy/ directory of this checkout (Maven passes it). */
  static Path deployDir() {
    return Path.of(System.getProperty("visionstream.deploy.dir", "."));
  }

  /**
   * Renders {@code deploy/k8s/overlays/<overlay>}; the test is skipped (saying why) where kubectl
   * is not installed, as with the other reference tools (.ci/run checks that it is).
   */
  static Rendered overlay(String overlay) {
    assumeThat(kubectl()).as("kubectl (for kubectl kustomize) is installed").isNotNull();
    Path dir = deployDir().resolve("k8s/overlays").resolve(overlay);
    try {
      Process process = new ProcessBuilder(kubectl(), "kustomize", dir.toString()).redirectErrorStream(false).start();
      byte[] out = process.getInputStream().readAllBytes();
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + err);
      }
      List<JsonNode> objects = new ArrayList<>();
      try (var parser = YAML.getFactory().createParser(out)) {
        for (var docs = YAML.readValues(parser, JsonNode.class); docs.hasNext(); ) {
          JsonNode doc = docs.next();
          if (doc != null && !doc.isNull() && !doc.isEmpty()) {
            objects.add(doc);
          }
        }
      }
      return new Rendered(overlay, objects);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String kubectl() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  /** The object of {@code kind} whose name is {@code name} (or, for generated ConfigMaps, starts with {@code name-}). */
  JsonNode get(String kind, String name) {
    return ofKind(kind).stream().filter(o -> {
      String n = o.path("metadata").path("name").asText();
      return n.equals(name) || (kind.equals("ConfigMap") && n.matches(Pattern.quote(name) + "-[a-z0-9]{10}"));
    }).findFirst().orElseThrow(() -> new NoSuchElementException("no " + kind + " " + name + " in overlay " + overlay));
  }

  /** The one container of Deployment {@code deployment}. */
  JsonNode container(String deployment) {
    JsonNode containers = podSpec(deployment).path("containers");
    if (containers.size() != 1) {
      throw new IllegalStateException(deployment + " has " + containers.size() + " containers, expected one");
    }
    return containers.get(0);
  }

  JsonNode podSpec(String deployment) {
    return get("Deployment", deployment).path("spec").path("template").path("spec");
  }

  /**
   * The variables {@code container} declares, with their values as written ($(NAME) references
   * unexpanded; empty for values taken from a ConfigMap key, a Secret or the pod).
   */
  Map<String, String> declaredEnvironment(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container.path("envFrom")) {
      get("ConfigMap", from.path("configMapRef").path("name").asText()).path("data").fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    for (JsonNode var : container.path("env")) {
      env.put(var.path("name").asText(), var.path("value").asText(""));
    }
    return env;
  }

  /**
   * The environment Kubernetes gives {@code container} of a pod whose address is {@code podIp}:
   * envFrom ConfigMaps first, then env in order (later entries may use earlier ones as $(NAME)),
   * with ConfigMap and Secret references resolved from the rendered objects.
   */
  Map<String, String> environment(JsonNode container, String podIp) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container.path("envFrom")) {
      JsonNode data = get("ConfigMap", from.path("configMapRef").path("name").asText()).path("data");
      data.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    for (JsonNode var : container.path("env")) {
      String name = var.path("name").asText();
      if (var.has("value")) {
        env.put(name, expand(var.path("value").asText(), env));
      } else {
        JsonNode from = var.path("valueFrom");
        if (from.has("configMapKeyRef")) {
          env.put(name, configMapValue(from.path("configMapKeyRef").path("name").asText(),
              from.path("configMapKeyRef").path("key").asText()));
        } else if (from.has("secretKeyRef")) {
          env.put(name, secretValue(from.path("secretKeyRef").path("name").asText(), from.path("secretKeyRef").path("key").asText()));
        } else if (from.path("fieldRef").path("fieldPath").asText().equals("status.podIP")) {
          env.put(name, podIp);
        } else {
          throw new IllegalStateException("env " + name + " of " + container.path("name").asText() + ": unsupported " + from);
        }
      }
    }
    return env;
  }

  String configMapValue(String name, String key) {
    JsonNode value = get("ConfigMap", name).path("data").path(key);
    if (value.isMissingNode()) {
      throw new NoSuchElementException("ConfigMap " + name + " has no key " + key);
    }
    return value.asText();
  }

  String secretValue(String name, String key) {
    JsonNode secret = get("Secret", name);
    JsonNode plain = secret.path("stringData").path(key);
    if (!plain.isMissingNode()) {
      return plain.asText();
    }
    JsonNode encoded = secret.path("data").path(key);
    if (encoded.isMissingNode()) {
      throw new NoSuchElementException("Secret " + name + " has no key " + key);
    }
    return new String(Base64.getDecoder().decode(encoded.asText()), StandardCharsets.UTF_8);
  }

  /** Kubernetes' $(NAME) expansion of a dependent environment variable. */
  static String expand(String value, Map<String, String> earlier) {
    Matcher m = DEPENDENT_VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = earlier.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
