package io.visionstream.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Validates objects against the Kubernetes API's OpenAPI schema, through the official Java
 * client's models (generated from that schema): every field must be one the schema defines, every
 * required field present, every value of its type.
 */
final class KubernetesSchemas {

  /** A validator: the model's generated {@code validateJsonElement}. */
  private interface Validator {
    void validate(JsonElement json) throws IOException;
  }

  private static final Map<String, Validator> CORE = Map.of(
      "v1/Namespace", V1Namespace::validateJsonElement,
      "v1/ConfigMap", V1ConfigMap::validateJsonElement,
      "v1/Secret", V1Secret::validateJsonElement,
      "v1/Service", V1Service::validateJsonElement,
      "v1/PersistentVolumeClaim", V1PersistentVolumeClaim::validateJsonElement,
      "apps/v1/Deployment", V1Deployment::validateJsonElement,
      "batch/v1/Job", V1Job::validateJsonElement,
      "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement);

  private static final ObjectMapper JSON = new ObjectMapper();

  private KubernetesSchemas() {}

  /** Whether this validator has the schema of {@code object}'s apiVersion and kind. */
  static boolean covers(JsonNode object) {
    return CORE.containsKey(type(object));
  }

  /** The problem the schema finds with {@code object}, if any. */
  static Optional<String> problem(JsonNode object) {
    Validator validator = CORE.get(type(object));
    if (validator == null) {
      return Optional.of("no schema for " + type(object));
    }
    try {
      validator.validate(JsonParser.parseString(JSON.writeValueAsString(object)));
      return Optional.empty();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException | IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      int json = message.indexOf(" JSON: ");
      return Optional.of(json < 0 ? message : message.substring(0, json));
    } catch (ClassCastException | IllegalStateException e) {
      // the generated validators cast before they check some types: a value of the wrong type
      return Optional.of("a value of the wrong type: " + e.getMessage());
    }
  }

  static String type(JsonNode object) {
    return object.path("apiVersion").asText() + "/" + object.path("kind").asText();
  }
}
