package io.visionstream.classifier.pipeline;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.visionstream.classifier.decode.DecodeStage;
import io.visionstream.classifier.infer.InferenceWorker;
import io.visionstream.classifier.sink.OutcomeSink;
import io.visionstream.classifier.source.PollLoop;
import io.visionstream.model.preprocess.ImagePreprocessor;

/** What the start-up task makes and close releases; written under {@code resources}. */
final class Parts {
  ImagePreprocessor preprocessor;
  DecodeStage decode;
  InferenceWorker inference;
  OutcomeSink sink;
  PollLoop poll;
  KafkaClientMetrics consumerMetrics;
}
