package io.visionstream.classifier.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.testing.StageFixtures;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.FrameAge;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.preprocess.TestImages;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DecodeStageTest {

  private static final int SIZE = 8;

  private final Lifecycle lifecycle = StageFixtures.running();
  private final Faults faults = StageFixtures.faults(lifecycle, Duration.ofMinutes(1));
  private final StageFixtures.Recorder recorder = new StageFixtures.Recorder();
  private final List<WorkItem> batched = new CopyOnWriteArrayList<>();
  private final AtomicInteger failFirst = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong released = new java.util.concurrent.atomic.AtomicLong();
  private final ImagePreprocessor preprocessor = new ImagePreprocessor(Preprocessing.TORCHVISION.withCropSize(SIZE), 4,
      1_000_000, SessionSettings.DEFAULT);
  private Thread thread;

  private DecodeStage start() {
    DecodeStage stage = new DecodeStage(images -> {
      if (failFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("session closed");
      }
      return preprocessor.run(images);
    }, SIZE, batched::add, StageFixtures.outputs(), new FrameAge(new LoadPolicyConfig(LoadPolicy.NEVER_DROP,
        Duration.ofSeconds(1)), Clock.systemUTC()), recorder, faults, new Progress(System::nanoTime), 4, bytes -> released.addAndGet(bytes),
        RecordTraces.OFF);
    thread = new Thread(stage, "test-decode");
    thread.start();
    return stage;
  }

  @AfterEach
  void stop() throws InterruptedException {
    lifecycle.moveTo(State.DRAINING);
    thread.interrupt();
    thread.join(5000);
    preprocessor.close();
  }

  /** The item again, holding 1000 bytes of budget plus {@code decodeBytes} for its decode. */
  private static WorkItem withDecodeBytes(WorkItem item, long decodeBytes) {
    WorkItem charged = new WorkItem(item.record(), item.epoch(), 1000 + decodeBytes, decodeBytes);
    charged.event(item.event());
    return charged;
  }

  private static WorkItem garbage() {
    byte[] value = "{\"event_id\": 1}".getBytes(StandardCharsets.UTF_8);
    return new WorkItem(new ConsumerRecord<>("image-events", 0, 9L, null, value), 1, value.length);
  }

  @Test
  void recordFaultsAreDeadLetteredAndAPreprocessorFaultIsRetriedNotBlamedOnTheImages() {
    failFirst.set(2);
    DecodeStage stage = start();
    WorkItem good = withDecodeBytes(StageFixtures.item(0, 0, StageFixtures.event("cam-1",
        TestImages.encode(TestImages.scene(40, 30, 1), "jpg"))), 40 * 30 * 24);
    WorkItem notAnImage = StageFixtures.item(0, 1, StageFixtures.event("cam-1", "GIF89a....".getBytes(StandardCharsets.UTF_8)));
    WorkItem notAnEvent = garbage();
    List.of(good, notAnImage, notAnEvent).forEach(stage::submit);

    await().atMost(Duration.ofSeconds(10)).until(() -> batched.size() + recorder.completed.size() == 3 && stage.waiting() == 0);
    assertThat(batched).containsExactly(good);
    assertThat(good.pixels()).hasSize(SIZE * SIZE * 3);
    assertThat(released).as("decode memory given back once decoded").hasValue(40 * 30 * 24);
    assertThat(good.budgetBytes()).isEqualTo(1000);
    assertThat(recorder.of(Outcome.Kind.DEAD_LETTER)).extracting(Outcome::reason)
        .containsExactlyInAnyOrder(DeadLetterReason.UNSUPPORTED_FORMAT, DeadLetterReason.INVALID_EVENT);
    assertThat(faults.retries()).isEqualTo(2);
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
  }

  @Test
  void abandonedItemsAreDroppedWithoutAnOutcome() {
    DecodeStage stage = start();
    WorkItem item = StageFixtures.item(0, 0, StageFixtures.event("cam-1", TestImages.encode(TestImages.scene(40, 30, 2), "jpg")));
    recorder.dropped.add(item);
    stage.submit(item);
    await().atMost(Duration.ofSeconds(10)).until(() -> stage.waiting() == 0);
    assertThat(batched).isEmpty();
    assertThat(recorder.completed).isEmpty();
  }
}
