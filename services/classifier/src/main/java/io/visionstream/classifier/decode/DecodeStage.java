package io.visionstream.classifier.decode;

import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.FrameAge;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.Outputs;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.Stage;
import io.visionstream.classifier.work.Tracking;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.preprocess.ImageRejectedException;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.serde.AvroDeserializer;
import io.visionstream.schemas.serde.InvalidPayloadException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Turns admitted records into model inputs, on as many threads as the assembly runs {@link #run()}
 * on: reads the ImageEvent, checks its content type and (under drop-stale) its age, and
 * preprocesses up to {@code groupSize} images per TensorFlow call. Accepted images go on to the
 * batcher; record faults (unreadable event, unsupported content, rejected image) finish here as
 * dead letters, stale frames as skipped predictions. If the preprocessor fails as a whole, that is
 * a system fault: the group is retried with backoff, never dead-lettered. The queue is unbounded
 * by itself and bounded by the in-flight budget.
 */
public final class DecodeStage implements Runnable {

  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);

  private final BlockingQueue<WorkItem> queue = new LinkedBlockingQueue<>();
  private final AvroDeserializer<ImageEvent> events = AvroDeserializer.specific(ImageEvent.class);
  private final Preprocess preprocessor;
  private final RecordTraces traces;
  private final Consumer<WorkItem> batcher;
  private final Outputs outputs;
  private final FrameAge frameAge;
  private final Tracking tracking;
  private final Faults faults;
  private final Progress progress;
  private final int groupSize;
  private final int pixelsPerImage;
  private final AtomicInteger busy = new AtomicInteger();
  private final LongConsumer releaseDecodeBytes;

  /** Preprocesses a group of encoded images (an {@code ImagePreprocessor}); throws on a fault of its own. */
  public interface Preprocess {
    PreprocessedBatch run(List<byte[]> images);
  }

  /**
   * @param cropSize height and width of one model input
   * @param batcher receives each preprocessed item
   * @param releaseDecodeBytes gives an item's decode memory back to the in-flight budget once it is decoded
   * @param traces makes each decoded record's {@code decode} span
   */
  public DecodeStage(Preprocess preprocessor, int cropSize, Consumer<WorkItem> batcher, Outputs outputs, FrameAge frameAge,
      Tracking tracking, Faults faults, Progress progress, int groupSize, LongConsumer releaseDecodeBytes, RecordTraces traces) {
    this.traces = traces;
    this.preprocessor = preprocessor;
    this.releaseDecodeBytes = releaseDecodeBytes;
    this.batcher = batcher;
    this.outputs = outputs;
    this.frameAge = frameAge;
    this.tracking = tracking;
    this.faults = faults;
    this.progress = progress;
    this.groupSize = groupSize;
    this.pixelsPerImage = cropSize * cropSize * 3;
  }

  public void submit(WorkItem item) {
    queue.add(item);
  }

  /** Records queued or being decoded. */
  public int waiting() {
    return queue.size() + busy.get();
  }

  public int depth() {
    return queue.size();
  }

  /** One decode thread's loop: until interrupted or the pipeline stops. */
  @Override
  public void run() {
    List<WorkItem> group = new ArrayList<>(groupSize);
    try {
      while (!Thread.currentThread().isInterrupted()) {
        group.add(queue.take());
        queue.drainTo(group, groupSize - 1);
        busy.addAndGet(group.size());
        try {
          if (!decodeRetrying(group)) {
            return;
          }
        } finally {
          busy.addAndGet(-group.size());
          group.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Decodes the group, retrying a system fault with backoff; false when the pipeline stopped meanwhile. */
  private boolean decodeRetrying(List<WorkItem> group) throws InterruptedException {
    List<WorkItem> left = new ArrayList<>(group);
    while (true) {
      try {
        decode(left);
        faults.recovered(Stage.DECODE);
        progress.progressed(Stage.DECODE);
        return true;
      } catch (RuntimeException e) {
        if (!faults.pause(faults.retrying(Stage.DECODE, e))) {
          return false;
        }
      }
    }
  }

  /**
   * Decodes a group of records; every one of them ends in the batcher or with an outcome, and is
   * removed from {@code group} once it has, so that after a system fault only the rest is retried.
   */
  void decode(List<WorkItem> group) {
    List<WorkItem> images = new ArrayList<>(group.size());
    List<byte[]> encoded = new ArrayList<>(group.size());
    for (Iterator<WorkItem> it = group.iterator(); it.hasNext(); ) {
      WorkItem item = it.next();
      if (!tracking.isCurrent(item) || !readEvent(item)) {
        it.remove();
        continue;
      }
      if (frameAge.isStale(item.event())) {
        tracking.complete(Outcome.skipped(item, outputs.skipped(item)));
        it.remove();
        continue;
      }
      images.add(item);
      encoded.add(bytes(item.event().getImage()));
      item.event().setImage(NO_BYTES); // the record still holds the original bytes
    }
    if (images.isEmpty()) {
      return;
    }
    Instant start = traces.now();
    try (PreprocessedBatch batch = preprocessor.run(encoded)) {
      for (int i = 0; i < images.size(); i++) {
        WorkItem item = images.get(i);
        int row = batch.row(i);
        if (row < 0) {
          ImageRejectedException e = batch.rejection(i).orElseThrow();
          DeadLetterReason reason = switch (e.reason()) {
            case UNSUPPORTED_FORMAT -> DeadLetterReason.UNSUPPORTED_FORMAT;
            case TOO_MANY_PIXELS -> DeadLetterReason.TOO_MANY_PIXELS;
            case UNDECODABLE -> DeadLetterReason.UNDECODABLE;
          };
          deadLetter(item, reason, e.getMessage(), e);
        } else {
          float[] pixels = new float[pixelsPerImage];
          batch.tensor().asRawTensor().data().asFloats().offset((long) row * pixelsPerImage).read(pixels);
          item.pixels(pixels);
          traces.decoded(item, start);
          batcher.accept(item);
        }
        group.remove(item);
        long decoded = item.takeDecodeBytes();
        if (decoded > 0) {
          releaseDecodeBytes.accept(decoded);
        }
      }
    }
  }

  /** Reads the ImageEvent; false (with a dead letter) if the record is not a usable one. */
  private boolean readEvent(WorkItem item) {
    byte[] value = item.record().value();
    if (value == null) {
      deadLetter(item, DeadLetterReason.INVALID_EVENT, "empty value (a tombstone) at " + item, null);
      return false;
    }
    try {
      item.event(events.deserialize(item.record().topic(), value));
    } catch (InvalidPayloadException e) {
      deadLetter(item, DeadLetterReason.INVALID_EVENT, e.getMessage() + " (at " + item + ")", e);
      return false;
    }
    ContentType type = item.event().getContentType();
    if (type != ContentType.JPEG && type != ContentType.PNG) {
      deadLetter(item, DeadLetterReason.UNSUPPORTED_CONTENT_TYPE, "content type " + type + " of event "
          + item.event().getEventId() + " at " + item + " is not supported (JPEG, PNG)", null);
      return false;
    }
    return true;
  }

  private void deadLetter(WorkItem item, DeadLetterReason reason, String message, Throwable cause) {
    tracking.complete(Outcome.deadLetter(item, outputs.deadLetter(item, reason, message, cause, 1), reason));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
