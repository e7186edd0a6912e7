package io.visionstream.classifier.model;

import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ModelRef;

/** How predictions name the model that made them. */
public final class ModelRefs {

  private ModelRefs() {}

  /** {@code version}'s name and version, with the {@code preprocessing} mode its inputs were made in. */
  public static ModelRef of(ServingModel.Version version, PreprocessingMode preprocessing) {
    return new ModelRef(version.name(), version.version(), preprocessing.label());
  }
}
