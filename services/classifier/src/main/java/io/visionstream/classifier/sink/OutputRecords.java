package io.visionstream.classifier.sink;

import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.Outputs;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.serde.AvroSerializer;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import io.visionstream.schemas.serde.ImageEventIds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds what the classifier writes: Predictions keyed by source id, and dead letters that carry
 * the original key, value and headers plus {@link DeadLetterHeaders} saying what went wrong and where it came from.
 */
public final class OutputRecords implements Outputs {

  private static final int MAX_MESSAGE_CHARS = 2000;

  private final String predictionsTopic;
  private final String deadLetterTopic;
  private final Supplier<ModelRef> serving;
  private final int maxDeadLetterBytes;
  private final Clock clock;
  private final AvroSerializer<Prediction> serializer = new AvroSerializer<>();

  /** @param serving the model serving now, named by predictions of frames skipped as stale */
  public OutputRecords(String predictionsTopic, String deadLetterTopic, Supplier<ModelRef> serving, int maxDeadLetterBytes,
      Clock clock) {
    this.predictionsTopic = predictionsTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.serving = serving;
    this.maxDeadLetterBytes = maxDeadLetterBytes;
    this.clock = clock;
  }

  @Override
  public ProducerRecord<byte[], byte[]> prediction(WorkItem item, ModelRef model, List<ClassScore> topK, int batchSize,
      long inferenceMicros) {
    return record(item, model, PredictionStatus.CLASSIFIED, topK, batchSize, inferenceMicros);
  }

  @Override
  public ProducerRecord<byte[], byte[]> skipped(WorkItem item) {
    return record(item, serving.get(), PredictionStatus.SKIPPED_STALE, List.of(), 0, 0);
  }

  private ProducerRecord<byte[], byte[]> record(WorkItem item, ModelRef model, PredictionStatus status, List<ClassScore> topK,
      int batchSize, long inferenceMicros) {
    Prediction prediction = Prediction.newBuilder()
        .setEventId(item.event().getEventId())
        .setSourceId(item.event().getSourceId())
        .setCapturedAt(item.event().getCapturedAt())
        .setModel(model)
        .setStatus(status)
        .setTopK(topK)
        .setBatchSize(batchSize)
        .setInferenceMicros(inferenceMicros)
        .setProcessedAt(clock.instant())
        .build();
    byte[] key = item.event().getSourceId().getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    RecordTraces.inject(item, headers);
    return new ProducerRecord<>(predictionsTopic, null, key, serializer.serialize(predictionsTopic, prediction), headers);
  }

  /**
   * The original record, with error and provenance headers, for the dead-letter topic. The event
   * and source ids come from the decoded event, or else from the start of the value when it began
   * as an ImageEvent (read before a value over the dead-letter size limit is cut), so that every
   * dead-lettered upload can still be given a verdict.
   */
  @Override
  public ProducerRecord<byte[], byte[]> deadLetter(WorkItem item, DeadLetterReason reason, String message, Throwable cause,
      int attempts) {
    ConsumerRecord<byte[], byte[]> source = item.record();
    RecordHeaders headers = new RecordHeaders();
    for (Header header : source.headers()) {
      headers.add(header);
    }
    headers.add(DeadLetterHeaders.REASON, utf8(reason.name()));
    if (cause != null) {
      headers.add(DeadLetterHeaders.EXCEPTION, utf8(cause.getClass().getName()));
    }
    headers.add(DeadLetterHeaders.MESSAGE, utf8(message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "..."));
    headers.add(DeadLetterHeaders.SOURCE_TOPIC, utf8(source.topic()));
    headers.add(DeadLetterHeaders.SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
    headers.add(DeadLetterHeaders.SOURCE_OFFSET, utf8(Long.toString(source.offset())));
    headers.add(DeadLetterHeaders.ATTEMPTS, utf8(Integer.toString(attempts)));
    byte[] value = source.value();
    Optional<ImageEventIds.Ids> ids = item.event() != null
        ? Optional.of(new ImageEventIds.Ids(item.event().getEventId(), item.event().getSourceId()))
        : ImageEventIds.peek(value);
    ids.ifPresent(id -> {
      headers.add(DeadLetterHeaders.EVENT_ID, utf8(id.eventId().toString()));
      headers.add(DeadLetterHeaders.EVENT_SOURCE_ID, utf8(id.sourceId()));
    });
    if (value != null && value.length > maxDeadLetterBytes) {
      headers.add(DeadLetterHeaders.TRUNCATED_FROM, utf8(Integer.toString(value.length)));
      value = Arrays.copyOf(value, maxDeadLetterBytes);
    }
    return new ProducerRecord<>(deadLetterTopic, null, source.key(), value, headers);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
