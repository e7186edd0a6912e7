package io.visionstream.classifier.work;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What becomes of a work item: the record to write (a Prediction, or the original bytes to the
 * dead-letter topic) and how it is counted.
 *
 * @param reason why the item was dead-lettered, {@code null} otherwise
 */
public record Outcome(WorkItem item, ProducerRecord<byte[], byte[]> output, Kind kind, DeadLetterReason reason) {

  public enum Kind { CLASSIFIED, SKIPPED, DEAD_LETTER }

  public static Outcome classified(WorkItem item, ProducerRecord<byte[], byte[]> prediction) {
    return new Outcome(item, prediction, Kind.CLASSIFIED, null);
  }

  public static Outcome skipped(WorkItem item, ProducerRecord<byte[], byte[]> prediction) {
    return new Outcome(item, prediction, Kind.SKIPPED, null);
  }

  public static Outcome deadLetter(WorkItem item, ProducerRecord<byte[], byte[]> original, DeadLetterReason reason) {
    return new Outcome(item, original, Kind.DEAD_LETTER, reason);
  }
}
