package io.visionstream.classifier.model;

import io.micronaut.http.HttpStatus;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.annotation.Read;
import io.micronaut.management.endpoint.annotation.Selector;
import io.micronaut.management.endpoint.annotation.Write;
import io.visionstream.classifier.ClassifierService;
import io.visionstream.model.serving.VersionedModels;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /model}: the serving version and the rejected ones. {@code POST /model/reload}: look
 * for a new or removed version now, swap it in if it passes the checks, and answer what happened.
 * A management endpoint: served on the management port ({@code endpoints.all.port}) only.
 */
@Endpoint(id = "model", defaultSensitive = false)
public class ModelEndpoint {

  private final ClassifierService service;

  public ModelEndpoint(ClassifierService service) {
    this.service = service;
  }

  @Read
  public Map<String, Object> model() {
    return service.models().details();
  }

  @Write
  public Map<String, Object> act(@Selector String action) {
    if (!"reload".equals(action)) {
      throw new HttpStatusException(HttpStatus.NOT_FOUND, "unknown action '" + action + "'; POST /model/reload");
    }
    VersionedModels.Refresh refresh = service.models().reload();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("result", refresh.swapped() ? "swapped" : refresh.rejected().isEmpty() ? "unchanged" : "rejected");
    answer.put("serving", refresh.serving());
    if (refresh.swapped()) {
      answer.put("previous", refresh.previous());
    }
    Map<String, String> rejected = new LinkedHashMap<>();
    refresh.rejected().forEach(r -> rejected.put(r.version(), r.reason()));
    if (!rejected.isEmpty()) {
      answer.put("rejected", rejected);
    }
    if (refresh.swapped() || !rejected.isEmpty()) {
      answer.put("loadMillis", refresh.loadMillis());
    }
    if (refresh.note() != null) {
      answer.put("note", refresh.note());
    }
    answer.put("model", service.models().details());
    return answer;
  }
}
