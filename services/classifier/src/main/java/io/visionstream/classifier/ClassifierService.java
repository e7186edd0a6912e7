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
import io.visionstream.classifier.model.ModelOperations;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.pipeline.PipelineOptions;
import io.visionstream.classifier.pipeline.ClientProperties;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.service.tracing.Tracing;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The classifier service: loads the model (and the versions that replace it, and a shadow model:
 * {@link ModelOperations}) and runs the pipeline for the lifetime of the Micronaut context. Created
 * eagerly, so a bad configuration or an unloadable model stops start-up with a message naming the
 * key; closed on shutdown (SIGTERM), draining within the shutdown timeout.
 * When the pipeline fails, {@link ClassifierApplication} closes the context and exits with 1.
 */
@Context
public class ClassifierService {

  private final ModelOperations models;
  private final ClassifierPipeline pipeline;

  public ClassifierService(TopicsConfig topics, BatchingConfig batching, BackpressureConfig backpressure,
      LoadPolicyConfig load, DeliveryConfig delivery, LimitsConfig limits, FaultsConfig faults, ModelConfig modelConfig,
      KafkaClientsConfig kafka, Tracing tracing, MeterRegistry registry) {
    if (modelConfig.topK() <= 0) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".top-k must be positive (got " + modelConfig.topK() + ")"));
    }
    PreprocessingMode mode;
    try {
      mode = PreprocessingMode.of(modelConfig.preprocessingMode());
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".preprocessing-mode must be exact or fast (got "
          + modelConfig.preprocessingMode() + ")"));
    }
    PipelineSettings settings = new PipelineSettings(topics, batching, backpressure, load, delivery, limits, faults);
    SessionSettings session = new SessionSettings(modelConfig.intraOpThreads(), modelConfig.interOpThreads(), modelConfig.bf16(),
        true, 0, false, false);
    ClassifierModel.Options options = new ClassifierModel.Options(null, null, null, null,
        modelConfig.preprocessing() == null ? null : Preprocessing.preset(modelConfig.preprocessing()), null);
    this.models = ModelOperations.open(modelConfig, session, options, shadow -> new ShadowModel(shadow,
        new ShadowModel.Settings(modelConfig.shadowSample(), modelConfig.shadowQueue(), batching.maxBatchSize(),
            modelConfig.topK(), mode), modelConfig.shadowTopic(),
        new KafkaProducer<>(ClientProperties.shadowProducer(kafka, settings)), registry, Clock.systemUTC()), registry);
    try {
      this.pipeline = ClassifierPipeline.start(settings, kafka, models.serving(),
          new PipelineOptions(mode, models.shadowSink(), tracing), modelConfig.topK(),
          session.withCpuBf16(false), registry, Clock.systemUTC(), ClassifierPipeline.Overrides.NONE);
    } catch (RuntimeException e) {
      models.close();
      throw e;
    }
  }

  public ClassifierPipeline pipeline() {
    return pipeline;
  }

  /** The model versions: what serves, what was rejected, reloading. */
  public ModelOperations models() {
    return models;
  }

  @PreDestroy
  void stop() {
    try {
      pipeline.close();
    } finally {
      models.close();
    }
  }
}
