package io.visionstream.loadtest.generate;

import io.visionstream.loadtest.Target;
import io.visionstream.loadtest.frames.FramePool;
import io.visionstream.loadtest.frames.Resolution;
import io.visionstream.loadtest.measure.Ledger;
import io.visionstream.loadtest.measure.Measurer;
import io.visionstream.schemas.ImageEvent;
import org.apache.kafka.common.serialization.Serializer;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Open-loop sender. Event i is due at start + i/rate, whatever happened to earlier events; its
 * {@code captured_at} and its latency clock start at that intended time, so when the pipeline (or
 * the producer) falls behind, the delay shows up as latency instead of as a lower send rate
 * (no coordinated omission). How late each send actually was is recorded separately.
 */
public final class Generator implements Runnable {

  private final Target target;
  private final LoadPlan plan;
  private final FramePool pool;
  private final Ledger ledger;
  private final String runId;
  private final long startNanos;
  private final Instant startWall;
  private final Serializer<ImageEvent> serializer = AvroSerdes.imageEvent().serializer();
  private final LongAdder sent = new LongAdder();
  private final LongAdder sendErrors = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final ConcurrentHistogram sendDelay = new ConcurrentHistogram(Measurer.MAX_LATENCY_MICROS, 3);
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final Resolution[] cameraResolution;
  private volatile boolean stopRequested;
  private volatile long finishedNanos;

  public Generator(Target target, LoadPlan plan, FramePool pool, Ledger ledger, String runId, long startNanos) {
    this.target = target;
    this.plan = plan;
    this.pool = pool;
    this.ledger = ledger;
    this.runId = runId;
    this.startNanos = startNanos;
    this.startWall = Instant.now().minusNanos(System.nanoTime() - startNanos);
    this.cameraResolution = new Resolution[plan.cameras()];
    for (int c = 0; c < plan.cameras(); c++) {
      cameraResolution[c] = plan.mix().forCamera(c, plan.cameras());
    }
  }

  /** The camera's source id, as keyed on the input topic. */
  public static String sourceId(String runId, int camera) {
    return "loadtest-" + runId + "-camera-" + String.format("%03d", camera + 1);
  }

  @Override
  public void run() {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(target.clientConfig(Map.of(
        ProducerConfig.LINGER_MS_CONFIG, 2,
        ProducerConfig.CLIENT_ID_CONFIG, "visionstream-loadtest-generator")),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      long planned = plan.plannedEvents();
      long durationNanos = plan.count() > 0 ? Long.MAX_VALUE : plan.duration().toNanos();
      for (long i = 0; i < planned && !stopRequested; i++) {
        long offset = plan.offsetNanos(i);
        if (offset >= durationNanos) {
          break;
        }
        long due = startNanos + offset;
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
        sendDelay.recordValue(Math.min(Measurer.MAX_LATENCY_MICROS, (now - due) / 1_000));
        send(producer, i, due);
      }
      producer.flush();
    } catch (RuntimeException e) {
      firstError.compareAndSet(null, "the generator stopped: " + e);
    } finally {
      finishedNanos = System.nanoTime();
    }
  }

  private void send(KafkaProducer<byte[], byte[]> producer, long i, long dueNanos) {
    int camera = (int) (i % plan.cameras());
    long frameNumber = i / plan.cameras();
    Resolution resolution = cameraResolution[camera];
    FramePool.Frame frame = pool.frame(resolution, frameNumber + camera * 7L);
    String source = sourceId(runId, camera);
    UUID id = UUID.randomUUID();
    ImageEvent event = ImageEvent.newBuilder().setEventId(id).setSourceId(source)
        .setCapturedAt(startWall.plusNanos(dueNanos - startNanos)).setContentType(frame.contentType())
        .setImage(ByteBuffer.wrap(frame.image()))
        .setAttributes(Map.of("loadtest.run", runId, "frame", Long.toString(frameNumber), "resolution",
            resolution.toString(), "content", frame.kind().name().toLowerCase(java.util.Locale.ROOT)))
        .build();
    byte[] value = serializer.serialize(target.inputTopic(), event);
    ledger.sending(id, dueNanos);
    producer.send(new ProducerRecord<>(target.inputTopic(), source.getBytes(StandardCharsets.UTF_8), value), (metadata, error) -> {
      if (error != null) {
        ledger.sendFailed(id);
        sendErrors.increment();
        firstError.compareAndSet(null, "sending event " + id + " to " + target.inputTopic() + " failed: " + error);
      }
    });
    sent.increment();
    bytes.add(value.length);
  }

  public void stop() {
    stopRequested = true;
  }

  /** Events handed to the producer (including any that later failed). */
  public long sent() {
    return sent.sum();
  }

  public long sendErrors() {
    return sendErrors.sum();
  }

  public long bytesSent() {
    return bytes.sum();
  }

  /** How late each send was against its intended time, microseconds. */
  public Histogram sendDelay() {
    return sendDelay.copy();
  }

  /** nanoTime when the generator finished, or 0 while it runs. */
  public long finishedNanos() {
    return finishedNanos;
  }

  public String firstError() {
    return firstError.get();
  }
}
