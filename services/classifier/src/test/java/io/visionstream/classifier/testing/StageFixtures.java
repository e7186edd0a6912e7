package io.visionstream.classifier.testing;

import io.visionstream.classifier.fault.Backoff;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.sink.OutputRecords;
import io.visionstream.classifier.work.Acknowledgements;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.StageMetrics;
import io.visionstream.classifier.work.Tracking;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Pieces for unit tests of single stages. */
public final class StageFixtures {

  /** The model the fixtures' predictions name. */
  public static final ModelRef MODEL = new ModelRef("test", "1", "exact");

  private StageFixtures() {}

  /** A lifecycle that is RUNNING. */
  public static Lifecycle running() {
    Lifecycle lifecycle = new Lifecycle();
    lifecycle.moveTo(State.STARTING);
    lifecycle.moveTo(State.RUNNING);
    return lifecycle;
  }

  /** Faults with a 1-5 ms backoff, giving up after {@code giveUp}. */
  public static Faults faults(Lifecycle lifecycle, Duration giveUp) {
    return new Faults(lifecycle, new Backoff(Duration.ofMillis(2), Duration.ofMillis(5), new Random(3)), giveUp, System::nanoTime);
  }

  public static OutputRecords outputs() {
    return new OutputRecords("predictions", "image-events.dlq", () -> MODEL, 1 << 20, Clock.systemUTC());
  }

  public static ImageEvent event(String source, byte[] image) {
    return ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId(source).setCapturedAt(Instant.now())
        .setContentType(ContentType.JPEG).setImage(ByteBuffer.wrap(image)).setAttributes(Map.of()).build();
  }

  /** An admitted item at {@code image-events-partition@offset} whose record holds {@code event}, already decoded. */
  public static WorkItem item(int partition, long offset, ImageEvent event) {
    byte[] value = AvroSerdes.imageEvent().serializer().serialize("image-events", event);
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("image-events", partition, offset,
        event.getSourceId().getBytes(StandardCharsets.UTF_8), value);
    WorkItem item = new WorkItem(record, 1, value.length);
    item.event(event);
    return item;
  }

  /** Remembers outcomes, acknowledgements and commits; every item is current unless dropped. */
  public static final class Recorder implements Tracking, Acknowledgements, StageMetrics {
    public final List<Outcome> completed = new CopyOnWriteArrayList<>();
    public final List<WorkItem> acknowledged = new CopyOnWriteArrayList<>();
    public final List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();
    public final List<Integer> batches = new CopyOnWriteArrayList<>();
    public final Set<WorkItem> dropped = ConcurrentHashMap.newKeySet();

    @Override
    public boolean isCurrent(WorkItem item) {
      return !dropped.contains(item);
    }

    @Override
    public void complete(Outcome outcome) {
      completed.add(outcome);
    }

    @Override
    public void acknowledge(WorkItem item) {
      acknowledged.add(item);
    }

    @Override
    public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
      commits.add(offsets);
    }

    @Override
    public void batch(int size, long waitNanos, long inferenceNanos, io.visionstream.schemas.ModelRef model) {
      batches.add(size);
    }

    @Override
    public void finished(Outcome outcome) {
    }

    public List<Outcome> of(Outcome.Kind kind) {
      return completed.stream().filter(o -> o.kind() == kind).toList();
    }
  }
}
