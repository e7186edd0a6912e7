package io.visionstream.classifier.pipeline;

import io.visionstream.classifier.commit.OffsetTracker;
import io.visionstream.classifier.decode.DecodeStage;
import io.visionstream.classifier.sink.OutputRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where an admitted record goes and what it costs: a record over the size limit goes straight to
 * the dead-letter topic and costs its size; any other costs its size plus its decoded input and
 * goes to the decode stage.
 */
final class Admission {

  private final int maxRecordBytes;
  private final long decodedBytes;
  private final OutputRecords outputs;
  private final DecodeStage decode;
  private final OffsetTracker tracker;

  Admission(int maxRecordBytes, long decodedBytes, OutputRecords outputs, DecodeStage decode, OffsetTracker tracker) {
    this.maxRecordBytes = maxRecordBytes;
    this.decodedBytes = decodedBytes;
    this.outputs = outputs;
    this.decode = decode;
    this.tracker = tracker;
  }

  long cost(ConsumerRecord<byte[], byte[]> record) {
    long size = size(record);
    return size > maxRecordBytes ? size : size + decodedBytes;
  }

  void route(WorkItem item) {
    long size = size(item.record());
    if (size > maxRecordBytes) {
      String message = "record at " + item + " is " + size + " bytes, more than the limit of " + maxRecordBytes;
      tracker.complete(Outcome.deadLetter(item, outputs.deadLetter(item, DeadLetterReason.RECORD_TOO_LARGE, message, null),
          DeadLetterReason.RECORD_TOO_LARGE));
    } else {
      decode.submit(item);
    }
  }

  private static long size(ConsumerRecord<byte[], byte[]> record) {
    return Math.max(0, record.serializedKeySize()) + (long) Math.max(0, record.serializedValueSize());
  }
}
