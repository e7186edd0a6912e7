package io.visionstream.demo;

import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A camera (or upload feed) publishing its frames to {@code image-events} in a loop, one per
 * {@link #capture()} call. Frames with labels are registered with the ground truth as they are sent.
 */
final class SimulatedCamera {

  private final String sourceId;
  private final List<byte[]> frames;
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final AvroSerializer<ImageEvent> serializer = new AvroSerializer<>();
  private final AtomicLong sent;
  private final ContentType contentType;
  private final List<String> labels;
  private final GroundTruth truth;
  private int next;

  SimulatedCamera(String sourceId, List<byte[]> frames, Producer<byte[], byte[]> producer, String topic, AtomicLong sent) {
    this(sourceId, frames, ContentType.JPEG, null, null, producer, topic, sent);
  }

  /** @param labels true class per frame, or null; {@code truth} receives them as frames are sent */
  SimulatedCamera(String sourceId, List<byte[]> frames, ContentType contentType, List<String> labels, GroundTruth truth,
      Producer<byte[], byte[]> producer, String topic, AtomicLong sent) {
    this.sourceId = sourceId;
    this.frames = frames;
    this.contentType = contentType;
    this.labels = labels;
    this.truth = truth;
    this.producer = producer;
    this.topic = topic;
    this.sent = sent;
  }

  String sourceId() {
    return sourceId;
  }

  /** Publishes the next frame, captured now. */
  void capture() {
    int frame = next;
    next = (next + 1) % frames.size();
    UUID id = UUID.randomUUID();
    if (labels != null) {
      truth.sent(id, labels.get(frame));
    }
    ImageEvent event = ImageEvent.newBuilder().setEventId(id).setSourceId(sourceId)
        .setCapturedAt(Instant.now()).setContentType(contentType).setImage(ByteBuffer.wrap(frames.get(frame)))
        .setAttributes(Map.of("frame", Integer.toString(frame))).build();
    producer.send(new ProducerRecord<>(topic, sourceId.getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, event)));
    sent.incrementAndGet();
  }
}
