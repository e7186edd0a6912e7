package io.visionstream.classifier.source;

import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.Outputs;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.Tracking;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.preprocess.ImageHeaders;
import io.visionstream.model.preprocess.ImageRejectedException;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.schemas.serde.ImageEventIds;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What an admitted record costs the in-flight budget and where it goes. A record over the size
 * limit costs its size and goes straight to the dead-letter topic. Any other costs its size and
 * its model input for as long as it is in flight, plus, until it is decoded, the memory decoding
 * its image takes, read from the image header before anything is decoded: a huge image waits for
 * room in the budget instead of being decoded beside others. Then it goes to the decode stage.
 *
 * <p>Decoding takes {@link #DECODE_BYTES_PER_PIXEL} per pixel of the decoded image, which in fast
 * preprocessing mode is a JPEG at its DCT scale, plus a progressive JPEG's coefficients, which
 * libjpeg holds at full size whatever the scale.
 */
public final class Admission implements PollLoop.Admit {

  /**
   * Bytes of native memory per decoded pixel while an image is decoded and resized: the decoded
   * RGB bytes (3), their float32 copy (12) and the resize's intermediates. Measured, not derived:
   * one 6300×6300 PNG or JPEG raised the service's peak RSS (VmHWM) by 1,041–1,052 MiB, 27.5–27.8
   * bytes per pixel ({@code services/classifier/bench/decode-memory.sh}, BENCHMARKS.md).
   */
  public static final long DECODE_BYTES_PER_PIXEL = 28;

  private final int maxRecordBytes;
  private final long maxPixels;
  private final Preprocessing spec;
  private final PreprocessingMode mode;
  private final long inputBytes;
  private final Outputs outputs;
  private final Consumer<WorkItem> decode;
  private final Tracking tracking;
  private final RecordTraces traces;

  /**
   * @param spec the model's preprocessing, whose crop size gives the input size and the JPEG scale
   * @param mode how images are decoded
   * @param decode receives records to decode
   * @param traces starts each record's span
   */
  public Admission(int maxRecordBytes, long maxPixels, Preprocessing spec, PreprocessingMode mode, Outputs outputs,
      Consumer<WorkItem> decode, Tracking tracking, RecordTraces traces) {
    this.traces = traces;
    this.maxRecordBytes = maxRecordBytes;
    this.maxPixels = maxPixels;
    this.spec = spec;
    this.mode = mode;
    this.inputBytes = (long) spec.cropSize() * spec.cropSize() * 3 * Float.BYTES;
    this.outputs = outputs;
    this.decode = decode;
    this.tracking = tracking;
  }

  @Override
  public long cost(ConsumerRecord<byte[], byte[]> record) {
    long size = size(record);
    return size > maxRecordBytes ? size : size + inputBytes;
  }

  @Override
  public long decodeCost(ConsumerRecord<byte[], byte[]> record) {
    return size(record) > maxRecordBytes ? 0 : decodeBytes(record.value());
  }

  /**
   * Memory decoding the image in {@code value} takes, from its header; 0 when there is no readable
   * header or it declares more than the pixel limit (such images are rejected before decoding).
   */
  long decodeBytes(byte[] value) {
    Optional<ByteBuffer> image = ImageEventIds.image(value);
    if (image.isEmpty()) {
      return 0;
    }
    ByteBuffer bytes = image.get();
    try {
      int offset = bytes.arrayOffset() + bytes.position();
      ImageHeaders.Header header = ImageHeaders.read(bytes.array(), offset, bytes.remaining());
      if (header.pixels() > maxPixels) {
        return 0;
      }
      return mode.decodedPixels(spec, header) * DECODE_BYTES_PER_PIXEL
          + ImageHeaders.coefficientBytes(bytes.array(), offset, bytes.remaining(), header);
    } catch (ImageRejectedException e) {
      return 0;
    }
  }

  /** Sends the item on: to the dead-letter topic if too large, else to the decode stage. */
  @Override
  public void route(WorkItem item) {
    traces.admitted(item);
    long size = size(item.record());
    if (size > maxRecordBytes) {
      String message = "record at " + item + " is " + size + " bytes, more than the limit of " + maxRecordBytes;
      tracking.complete(Outcome.deadLetter(item, outputs.deadLetter(item, DeadLetterReason.RECORD_TOO_LARGE, message, null, 1),
          DeadLetterReason.RECORD_TOO_LARGE));
    } else {
      decode.accept(item);
    }
  }

  private static long size(ConsumerRecord<byte[], byte[]> record) {
    return Math.max(0, record.serializedKeySize()) + (long) Math.max(0, record.serializedValueSize());
  }
}
