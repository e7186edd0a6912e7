package io.visionstream.classifier.pipeline;

import io.visionstream.classifier.work.Outcome;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.serving.ServingModel;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

/** What the pipeline's start-up task builds the stages from. */
record StartPlan(Map<String, Object> consumerConfig, Map<String, Object> producerConfig, ServingModel model,
    PipelineOptions options, int topK, SessionSettings decodeSession, BlockingQueue<Outcome> released, Clock clock,
    ClassifierPipeline.Overrides overrides) {}
