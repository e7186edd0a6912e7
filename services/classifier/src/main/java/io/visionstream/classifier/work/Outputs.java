package io.visionstream.classifier.work;

import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.PredictionStatus;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Builds the records the pipeline writes for a work item. */
public interface Outputs {

  /** A prediction for a decoded event. */
  ProducerRecord<byte[], byte[]> prediction(WorkItem item, PredictionStatus status, List<ClassScore> topK, int batchSize,
      long inferenceMicros);

  /**
   * The original record, with headers saying what went wrong and where, for the dead-letter topic.
   *
   * @param attempts how many times the item was tried before it was judged a record fault (1 for most reasons)
   */
  ProducerRecord<byte[], byte[]> deadLetter(WorkItem item, DeadLetterReason reason, String message, Throwable cause,
      int attempts);
}
