package io.visionstream.classifier.work;

import io.opentelemetry.api.trace.Span;
import io.visionstream.schemas.ImageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One record taken from Kafka, from admission until its outcome is acknowledged by the broker.
 * Created by the poll thread; the decode stage sets the event and pixels, the inference stage
 * clears the pixels. Each field is written by one stage before the item is handed on through a
 * concurrent queue, which publishes it to the next.
 */
public final class WorkItem {

  private final ConsumerRecord<byte[], byte[]> record;
  private final TopicPartition partition;
  private final int epoch;
  private final long decodeBytes;
  private long heldBytes;
  private boolean decodeHeld;
  private ImageEvent event;
  private float[] pixels;
  private Span span;

  /**
   * @param epoch the partition's assignment epoch at admission; work of an older epoch is abandoned
   * @param budgetBytes what the item costs the in-flight budget
   */
  public WorkItem(ConsumerRecord<byte[], byte[]> record, int epoch, long budgetBytes) {
    this(record, epoch, budgetBytes, 0);
  }

  /**
   * @param budgetBytes what the item costs the in-flight budget, {@code decodeBytes} included
   * @param decodeBytes the part of it that decoding the image takes, given back once it is decoded
   */
  public WorkItem(ConsumerRecord<byte[], byte[]> record, int epoch, long budgetBytes, long decodeBytes) {
    this.record = record;
    this.partition = new TopicPartition(record.topic(), record.partition());
    this.epoch = epoch;
    this.heldBytes = budgetBytes;
    this.decodeBytes = decodeBytes;
    this.decodeHeld = decodeBytes > 0;
  }

  public ConsumerRecord<byte[], byte[]> record() {
    return record;
  }

  public TopicPartition partition() {
    return partition;
  }

  public long offset() {
    return record.offset();
  }

  public int epoch() {
    return epoch;
  }

  /** Bytes of the in-flight budget the item still holds. */
  public synchronized long budgetBytes() {
    return heldBytes;
  }

  /** Gives up the decode part of the item's budget (once decoded); returns it, or 0 if already given. */
  public synchronized long takeDecodeBytes() {
    if (!decodeHeld) {
      return 0;
    }
    decodeHeld = false;
    heldBytes -= decodeBytes;
    return decodeBytes;
  }

  /** Gives up everything the item still holds of the budget (it is done or abandoned); returns it. */
  public synchronized long takeBudgetBytes() {
    long held = heldBytes;
    heldBytes = 0;
    decodeHeld = false;
    return held;
  }

  /** The decoded event, or {@code null} before decoding (or if the record is not an ImageEvent). */
  public ImageEvent event() {
    return event;
  }

  public void event(ImageEvent event) {
    this.event = event;
  }

  /** The preprocessed model input [size, size, 3], or {@code null} when not (or no longer) held. */
  /** The record's span while tracing is on ({@link RecordTraces}), else null. */
  public Span span() {
    return span;
  }

  public void span(Span span) {
    this.span = span;
  }

  public float[] pixels() {
    return pixels;
  }

  public void pixels(float[] pixels) {
    this.pixels = pixels;
  }

  /** {@code topic-partition@offset}, for logs and errors. */
  @Override
  public String toString() {
    return partition + "@" + record.offset() + (event != null ? " (event " + event.getEventId() + ")" : "");
  }
}
