package io.visionstream.classifier.demo;

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

/** A camera publishing its frames to {@code image-events} in a loop, one per {@link #capture()} call. */
final class SimulatedCamera {

  private final String sourceId;
  private final List<byte[]> frames;
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final AvroSerializer<ImageEvent> serializer = new AvroSerializer<>();
  private final AtomicLong sent;
  private int next;

  SimulatedCamera(String sourceId, List<byte[]> frames, Producer<byte[], byte[]> producer, String topic, AtomicLong sent) {
    this.sourceId = sourceId;
    this.frames = frames;
    this.producer = producer;
    this.topic = topic;
    this.sent = sent;
  }

  /** Publishes the next frame, captured now. */
  void capture() {
    int frame = next;
    next = (next + 1) % frames.size();
    ImageEvent event = ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId(sourceId)
        .setCapturedAt(Instant.now()).setContentType(ContentType.JPEG).setImage(ByteBuffer.wrap(frames.get(frame)))
        .setAttributes(Map.of("frame", Integer.toString(frame))).build();
    producer.send(new ProducerRecord<>(topic, sourceId.getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, event)));
    sent.incrementAndGet();
  }
}
