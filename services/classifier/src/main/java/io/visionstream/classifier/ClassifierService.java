package io.visionstream.classifier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.visionstream.classifier.config.BackpressureConfig;
import io.visionstream.classifier.config.BatchingConfig;
import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.config.FaultsConfig;
import io.visionstream.classifier.config.InvalidSettingsException;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.LimitsConfig;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.classifier.config.ModelConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.ModelLoadException;
import jakarta.annotation.PreDestroy;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;

/**
 * The classifier service: loads the model and runs the pipeline for the lifetime of the Micronaut
 * context. Created eagerly, so a bad configuration or an unloadable model stops start-up with a
 * message naming the key; closed on shutdown (SIGTERM), draining within the shutdown timeout.
 * When the pipeline fails, {@link ClassifierApplication} closes the context and exits with 1.
 */
@Context
public class ClassifierService {

  private final ClassifierModel model;
  private final ClassifierPipeline pipeline;

  public ClassifierService(TopicsConfig topics, BatchingConfig batching, BackpressureConfig backpressure,
      LoadPolicyConfig load, DeliveryConfig delivery, LimitsConfig limits, FaultsConfig faults, ModelConfig modelConfig,
      KafkaClientsConfig kafka, MeterRegistry registry) {
    if (modelConfig.dir() == null || !Files.isDirectory(modelConfig.dir())) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".dir must name a SavedModel directory (got "
          + modelConfig.dir() + "); build one with: deploy/local/visionstream-model build --arch resnet50 --seed 42 --out DIR"));
    }
    if (modelConfig.topK() <= 0) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".top-k must be positive (got " + modelConfig.topK() + ")"));
    }
    PipelineSettings settings = new PipelineSettings(topics, batching, backpressure, load, delivery, limits, faults);
    SessionSettings session = new SessionSettings(modelConfig.intraOpThreads(), modelConfig.interOpThreads(), modelConfig.bf16(),
        true, 0, false, false);
    ClassifierModel.Options options = new ClassifierModel.Options(null, null, null, null,
        modelConfig.preprocessing() == null ? null : Preprocessing.preset(modelConfig.preprocessing()), null);
    try {
      this.model = ClassifierModel.load(modelConfig.dir(), session, options);
    } catch (ModelLoadException e) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".dir: " + e.getMessage()));
    }
    try {
      this.pipeline = ClassifierPipeline.start(settings, kafka, model, modelConfig.topK(), session.withCpuBf16(false), registry,
          Clock.systemUTC());
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public ClassifierPipeline pipeline() {
    return pipeline;
  }

  public ClassifierModel model() {
    return model;
  }

  @PreDestroy
  void stop() {
    try {
      pipeline.close();
    } finally {
      model.close();
    }
  }
}
