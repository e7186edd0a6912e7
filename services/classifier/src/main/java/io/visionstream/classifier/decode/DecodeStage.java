package io.visionstream.classifier.decode;

import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.pipeline.DeadLetterReason;
import io.visionstream.classifier.pipeline.FrameAge;
import io.visionstream.classifier.pipeline.Outcome;
import io.visionstream.classifier.pipeline.WorkItem;
import io.visionstream.classifier.sink.OutputRecords;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.ImageRejectedException;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.serde.AvroDeserializer;
import io.visionstream.schemas.serde.InvalidPayloadException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns admitted records into model inputs on its own threads: reads the ImageEvent, checks its
 * content type and (under drop-stale) its age, and preprocesses up to {@code groupSize} images per
 * TensorFlow call. Accepted images go to the batcher; everything else finishes here as a skipped
 * prediction or a dead letter. The queue is unbounded by itself and bounded by the in-flight budget.
 */
public final class DecodeStage {

  private static final Logger log = LoggerFactory.getLogger(DecodeStage.class);
  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);

  private final BlockingQueue<WorkItem> queue = new LinkedBlockingQueue<>();
  private final AvroDeserializer<ImageEvent> events = AvroDeserializer.specific(ImageEvent.class);
  private final ImagePreprocessor preprocessor;
  private final MicroBatcher<WorkItem> batcher;
  private final OutputRecords outputs;
  private final FrameAge frameAge;
  private final Predicate<WorkItem> current;
  private final Consumer<Outcome> finish;
  private final int groupSize;
  private final List<Thread> threads = new ArrayList<>();
  private final int pixelsPerImage;

  /**
   * @param current false for abandoned work (its partition was revoked), which is dropped
   * @param finish receives every outcome decided here
   */
  public DecodeStage(ImagePreprocessor preprocessor, MicroBatcher<WorkItem> batcher, OutputRecords outputs, FrameAge frameAge,
      Predicate<WorkItem> current, Consumer<Outcome> finish, int groupSize) {
    this.preprocessor = preprocessor;
    this.batcher = batcher;
    this.outputs = outputs;
    this.frameAge = frameAge;
    this.current = current;
    this.finish = finish;
    this.groupSize = groupSize;
    int size = preprocessor.spec().cropSize();
    this.pixelsPerImage = size * size * 3;
  }

  public void start(int threadCount) {
    for (int i = 0; i < threadCount; i++) {
      Thread thread = new Thread(this::run, "classifier-decode-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  public void submit(WorkItem item) {
    queue.add(item);
  }

  public int depth() {
    return queue.size();
  }

  /** Stops the threads; queued items are left to be abandoned by the caller. */
  public void stop() throws InterruptedException {
    threads.forEach(Thread::interrupt);
    for (Thread thread : threads) {
      thread.join();
    }
  }

  private void run() {
    List<WorkItem> group = new ArrayList<>(groupSize);
    while (!Thread.currentThread().isInterrupted()) {
      try {
        group.add(queue.take());
        queue.drainTo(group, groupSize - 1);
        decode(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.error("Decoding {} records failed unexpectedly; they go to the dead-letter topic", group.size(), e);
        group.forEach(item -> finish.accept(Outcome.deadLetter(item, outputs.deadLetter(item, DeadLetterReason.UNDECODABLE,
            "decoding failed: " + e, e), DeadLetterReason.UNDECODABLE)));
      } finally {
        group.clear();
      }
    }
  }

  /** Decodes a group of records; every one of them ends in the batcher or with an outcome. */
  void decode(List<WorkItem> group) {
    List<WorkItem> images = new ArrayList<>(group.size());
    List<byte[]> encoded = new ArrayList<>(group.size());
    for (WorkItem item : group) {
      if (!current.test(item) || !readEvent(item)) {
        continue;
      }
      if (frameAge.isStale(item.event())) {
        finish.accept(Outcome.skipped(item, outputs.prediction(item, PredictionStatus.SKIPPED_STALE, List.of(), 0, 0)));
        continue;
      }
      images.add(item);
      encoded.add(bytes(item.event().getImage()));
      item.event().setImage(NO_BYTES); // the record still holds the original bytes
    }
    if (images.isEmpty()) {
      return;
    }
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
          finish.accept(Outcome.deadLetter(item, outputs.deadLetter(item, reason, e.getMessage(), e), reason));
        } else {
          float[] pixels = new float[pixelsPerImage];
          batch.tensor().asRawTensor().data().asFloats().offset((long) row * pixelsPerImage).read(pixels);
          item.pixels(pixels);
          batcher.add(item);
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
    finish.accept(Outcome.deadLetter(item, outputs.deadLetter(item, reason, message, cause), reason));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
