package io.visionstream.classifier.pipeline;

import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.service.tracing.Tracing;

/**
 * How the pipeline decodes images ({@code model.preprocessing-mode}), and what runs beside it: the
 * shadow model the inference worker offers classified images to, and tracing.
 */
public record PipelineOptions(PreprocessingMode preprocessing, ShadowModel.Sink shadow, Tracing tracing) {
  public static final PipelineOptions NONE = new PipelineOptions(PreprocessingMode.EXACT, ShadowModel.Sink.NONE, Tracing.OFF);
}
