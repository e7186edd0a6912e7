package io.visionstream.classifier.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.visionstream.schemas.ModelRef;

/** {@code visionstream.model.inference}: batch inference time per model version, primary and shadow alike. */
public final class ModelTimers {

  private ModelTimers() {}

  /** The timer of {@code model} in {@code role} ({@code primary} or {@code shadow}). */
  public static Timer inference(MeterRegistry registry, String role, ModelRef model) {
    return Timer.builder("visionstream.model.inference").description("Inference time of a batch, per model version")
        .tag("role", role).tag("model", model.getName()).tag("version", model.getVersion()).register(registry);
  }
}
