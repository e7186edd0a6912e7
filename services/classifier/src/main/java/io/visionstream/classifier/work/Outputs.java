package io.visionstream.classifier.work;

import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ModelRef;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Builds the records the pipeline writes for a work item. */
public interface Outputs {

  /** The prediction {@code model} made for a decoded event in a batch of {@code batchSize}. */
  ProducerRecord<byte[], byte[]> prediction(WorkItem item, ModelRef model, List<ClassScore> topK, int batchSize,
      long inferenceMicros);

  /** A SKIPPED_STALE prediction, naming the model serving now, for a frame dropped as too old to classify. */
  ProducerRecord<byte[], byte[]> skipped(WorkItem item);

  /**
   * The original record, with headers saying what went wrong and where, for the dead-letter topic.
   *
   * @param attempts how many times the item was tried before it was judged a record fault (1 for most reasons)
   */
  ProducerRecord<byte[], byte[]> deadLetter(WorkItem item, DeadLetterReason reason, String message, Throwable cause,
      int attempts);
}
