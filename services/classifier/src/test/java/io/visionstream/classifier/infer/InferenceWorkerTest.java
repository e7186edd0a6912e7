package io.visionstream.classifier.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.classifier.batch.MicroBatcher;
import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.classifier.fault.Faults;
import io.visionstream.classifier.lifecycle.Lifecycle;
import io.visionstream.classifier.lifecycle.Progress;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.classifier.testing.StageFixtures;
import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.FrameAge;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;

class InferenceWorkerTest {

  static final int SIZE = 2;
  static final float POISON = 99f;

  private final Lifecycle lifecycle = StageFixtures.running();
  private final StageFixtures.Recorder recorder = new StageFixtures.Recorder();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger failFirstCalls = new AtomicInteger();

  /** A model that fails on any batch holding a poison image, and on every call while {@code failFirstCalls} lasts. */
  private final InferenceModel model = new InferenceModel() {
    @Override
    public BatchRunner.Scores run(TFloat32 batch) {
      calls.incrementAndGet();
      if (failFirstCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("device lost");
      }
      int n = (int) batch.shape().get(0);
      float[] pixels = new float[n * SIZE * SIZE * 3];
      batch.asRawTensor().data().asFloats().read(pixels);
      float[][] scores = new float[n][];
      for (int i = 0; i < n; i++) {
        if (pixels[i * SIZE * SIZE * 3] == POISON) {
          throw new IllegalArgumentException("NaN in layer4");
        }
        scores[i] = new float[] {0.7f, 0.2f, 0.1f};
      }
      return new BatchRunner.Scores(scores, null, 1000, 0);
    }

    @Override
    public int inputSize() {
      return SIZE;
    }

    @Override
    public List<String> labels() {
      return List.of("a", "b", "c");
    }
  };

  private InferenceWorker worker(Faults faults) {
    return worker(faults, InferenceModel.Source.fixed(model, StageFixtures.MODEL), ShadowModel.Sink.NONE);
  }

  private InferenceWorker worker(Faults faults, InferenceModel.Source models, ShadowModel.Sink shadow) {
    return new InferenceWorker(new MicroBatcher<>(16, Duration.ofMillis(1)), models, shadow, StageFixtures.outputs(), new FrameAge(new LoadPolicyConfig(LoadPolicy.NEVER_DROP,
        Duration.ofSeconds(1)), Clock.systemUTC()), recorder, recorder, faults, new Progress(System::nanoTime), 2, SIZE,
        RecordTraces.OFF);
  }

  private static List<WorkItem> items(int n, int poisonAt) {
    List<WorkItem> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      WorkItem item = StageFixtures.item(0, i, StageFixtures.event("cam-1", new byte[] {1}));
      float[] pixels = new float[SIZE * SIZE * 3];
      Arrays.fill(pixels, i == poisonAt ? POISON : i);
      item.pixels(pixels);
      items.add(item);
    }
    return items;
  }

  @Test
  void onePoisonImageInABatchOfSixteenIsTheOnlyOneDeadLettered() throws Exception {
    List<WorkItem> items = items(16, 11);
    worker(StageFixtures.faults(lifecycle, Duration.ofMinutes(1))).process(new MicroBatcher.Batch<>(items, 0));

    assertThat(recorder.of(Outcome.Kind.CLASSIFIED)).hasSize(15).noneMatch(o -> o.item() == items.get(11));
    assertThat(recorder.of(Outcome.Kind.DEAD_LETTER)).singleElement().satisfies(o -> {
      assertThat(o.item()).isSameAs(items.get(11));
      assertThat(o.reason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
      assertThat(DeadLetterHeaders.get(o.output().headers(), DeadLetterHeaders.ATTEMPTS)).isEqualTo("6");
      assertThat(DeadLetterHeaders.get(o.output().headers(), DeadLetterHeaders.MESSAGE))
          .startsWith("the model fails on this image alone (6 attempts) while it classifies other images");
    });
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
  }

  @Test
  void aModelThatFailsForAWhileIsRetriedAndNothingIsDeadLettered() throws Exception {
    failFirstCalls.set(7);
    Faults faults = StageFixtures.faults(lifecycle, Duration.ofMinutes(1));
    List<WorkItem> items = items(16, -1);
    worker(faults).process(new MicroBatcher.Batch<>(items, 0));

    assertThat(recorder.of(Outcome.Kind.CLASSIFIED)).hasSize(16);
    assertThat(recorder.of(Outcome.Kind.DEAD_LETTER)).isEmpty();
    // three rounds where batch and canary both fail; in the fourth only the batch fails, the canary passes and bisection finds no poison
    assertThat(faults.retries()).isEqualTo(3);
    assertThat(lifecycle.state()).isEqualTo(State.RUNNING);
  }

  @Test
  void aModelThatNeverRecoversFailsThePipelineWithoutDeadLetteringAnything() {
    failFirstCalls.set(Integer.MAX_VALUE);
    List<WorkItem> items = items(4, -1);
    InferenceWorker worker = worker(StageFixtures.faults(lifecycle, Duration.ofMillis(200)));
    assertThatThrownBy(() -> worker.process(new MicroBatcher.Batch<>(items, 0))).isInstanceOf(Faults.GaveUpException.class);
    assertThat(recorder.completed).isEmpty();
    assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    assertThat(lifecycle.failure()).hasMessageStartingWith("stage inference kept failing");
  }

  @Test
  void aRetryAfterASwapRunsOnTheNewVersionWhichThePredictionsNameAndTheShadowGetsEachClassifiedImage() throws Exception {
    InferenceModel broken = new InferenceModel() {
      @Override
      public BatchRunner.Scores run(TFloat32 batch) {
        throw new IllegalStateException("device lost");
      }

      @Override
      public int inputSize() {
        return SIZE;
      }

      @Override
      public List<String> labels() {
        return model.labels();
      }
    };
    // version 1 is sick; version 2 is swapped in while the batch waits to be retried
    List<InferenceModel> versions = new ArrayList<>(List.of(broken, model));
    AtomicInteger open = new AtomicInteger();
    InferenceModel.Source source = () -> {
      InferenceModel current = versions.size() > 1 ? versions.remove(0) : versions.get(0);
      ModelRef ref = new ModelRef("m", current == broken ? "1" : "2", "exact");
      open.incrementAndGet();
      return new InferenceModel.Leased(current, ref, open::decrementAndGet);
    };
    List<String> offered = new ArrayList<>();
    ShadowModel.Sink shadow = (item, pixels, primary, top1) -> offered.add(item.record().offset() + ":" + primary.getVersion()
        + ":" + top1 + ":" + (pixels == null ? "no pixels" : pixels[0]));
    List<WorkItem> items = items(3, -1);
    Faults faults = StageFixtures.faults(lifecycle, Duration.ofMinutes(1));
    worker(faults, source, shadow).process(new MicroBatcher.Batch<>(items, 0));

    assertThat(faults.retries()).isEqualTo(1);
    assertThat(recorder.of(Outcome.Kind.CLASSIFIED)).hasSize(3).allSatisfy(o -> {
      Prediction p = AvroSerdes.prediction().deserializer().deserialize("predictions", o.output().value());
      assertThat(p.getModel()).isEqualTo(new ModelRef("m", "2", "exact"));
    });
    assertThat(open.get()).as("leases still held").isZero();
    assertThat(offered).containsExactly("0:2:0:0.0", "1:2:0:1.0", "2:2:0:2.0");
    assertThat(items).allSatisfy(item -> assertThat(item.pixels()).isNull());
  }

  @Test
  void abandonedItemsAreNeitherRunNorFinished() throws Exception {
    List<WorkItem> items = items(3, -1);
    recorder.dropped.add(items.get(1));
    worker(StageFixtures.faults(lifecycle, Duration.ofMinutes(1))).process(new MicroBatcher.Batch<>(items, 0));
    assertThat(recorder.completed).extracting(Outcome::item).containsExactly(items.get(0), items.get(2));
    assertThat(recorder.batches).containsExactly(2);
  }
}
