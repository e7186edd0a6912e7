package io.visionstream.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.model.weights.NpzWriter;
import io.visionstream.model.weights.SeededWeights;
import io.visionstream.model.weights.StateDictWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Training on tiny slices of Fashion-MNIST (Debian's dataset-fashion-mnist, which .ci/run installs)
 * with a narrow ResNet-18 (CIFAR stem, width 8), so that each test takes seconds.
 */
class TrainingTest {

  private static LabelledImages train;

  @BeforeAll
  static void load() throws IOException {
    Assumptions.assumeTrue(Files.exists(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz")),
        "Debian's dataset-fashion-mnist is not installed");
    train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN);
  }

  private static TrainingConfig config(int epochs, int batch, float lr, String schedule, int padding, boolean flip, String trainOnly) {
    return new TrainingConfig("resnet18", "cifar", 8, 10, 28, epochs, batch, lr, schedule, 0, 0.9f, 5e-4f, padding, flip, 7,
        trainOnly);
  }

  @Test
  void overfitsSixtyFourImages() {
    Batches batches = new Batches(train.first(64), FashionMnist.PREPROCESSING);
    int[] all = batches.inOrder();
    List<Float> losses = new ArrayList<>();
    try (TrainingGraph graph = new TrainingGraph(io.visionstream.model.resnet.ResNetArchitecture.RESNET18, 10,
        io.visionstream.model.resnet.Stem.CIFAR, 8, 28, new SeededWeights(7), Map.of(), name -> false,
        new TrainingGraph.Hyper(0.9f, 0))) {
      for (int step = 0; step < 150; step++) {
        try (TFloat32 images = batches.images(all, 0, 64, Batches.Augmentation.NONE, null);
            TInt32 labels = batches.labels(all, 0, 64)) {
          losses.add(graph.step(images, labels, 0.05f).loss());
        }
      }
      assertThat(graph.step()).isEqualTo(150);
      // The same batch every step: the loss must fall from chance (ln 10 ≈ 2.3) to nearly zero,
      // and in inference mode (running statistics) the network must know all 64 labels.
      assertThat(losses.get(0)).isGreaterThan(1.5f);
      assertThat(losses.get(losses.size() - 1)).isLessThan(0.05f);
      assertThat(Trainer.accuracy(graph, batches)).isEqualTo(1.0);
    }
  }

  @Test
  void frozenBackboneStaysBitIdenticalWhileTheNewHeadLearns(@TempDir Path dir) throws IOException {
    // A "pretrained" network with another head (7 classes), saved as a state dict.
    Path pretrained = dir.resolve("pretrained.npz");
    Map<String, long[]> shapes = io.visionstream.model.resnet.ResNetArchitecture.RESNET18.parameterShapes(7,
        io.visionstream.model.resnet.Stem.CIFAR, 8);
    Map<String, float[]> values = new java.util.LinkedHashMap<>();
    SeededWeights seeded = new SeededWeights(3);
    shapes.forEach((name, shape) -> values.put(name, perturbedStatistics(name, seeded.values(name, shape))));
    NpzWriter.write(pretrained, values, shapes, false);

    Trainer trainer = new Trainer(new Batches(train.first(256), FashionMnist.PREPROCESSING), null);
    Trainer.Outcome outcome = trainer.start(config(2, 32, 0.1f, "cosine", 2, true, "head"),
        new ReplacedHead(StateDictWeights.read(pretrained), new SeededWeights(11)), dir.resolve("run"), new Trainer.Listener() {});

    assertThat(outcome.state().step()).isEqualTo(16);
    int backbone = 0;
    for (Map.Entry<String, float[]> e : outcome.weights().entrySet()) {
      if (e.getKey().startsWith("fc.")) {
        continue;
      }
      assertThat(e.getValue()).as(e.getKey()).containsExactly(values.get(e.getKey()));
      backbone++;
    }
    assertThat(backbone).isEqualTo(shapes.size() - 2);
    float[] initialHead = new SeededWeights(11).values("fc.weight", new long[] {10, 64});
    assertThat(outcome.weights().get("fc.weight")).hasSize(10 * 64);
    assertThat(maxDifference(outcome.weights().get("fc.weight"), initialHead)).isGreaterThan(1e-3f);
    assertThat(maxDifference(outcome.weights().get("fc.bias"), new float[10])).isGreaterThan(1e-4f);
  }

  @Test
  void resumingFromACheckpointContinuesTheSameRun(@TempDir Path dir) throws IOException {
    Trainer trainer = new Trainer(new Batches(train.first(256), FashionMnist.PREPROCESSING), null);
    TrainingConfig config = config(2, 32, 0.1f, "cosine", 2, true, "all");
    Path straight = dir.resolve("straight");
    Trainer.Outcome uninterrupted = trainer.start(config, new SeededWeights(7), straight, new Trainer.Listener() {});
    assertThat(uninterrupted.state().step()).isEqualTo(16);

    // A run that stopped after epoch 1: only its first checkpoint exists.
    Path stopped = dir.resolve("stopped");
    Path first = straight.resolve(Trainer.CHECKPOINTS).resolve("epoch-001");
    copyTree(first, stopped.resolve(Trainer.CHECKPOINTS).resolve("epoch-001"));
    List<Long> resumedAt = new ArrayList<>();
    Trainer.Outcome resumed = trainer.resume(stopped, null, new Trainer.Listener() {
      @Override
      public void started(TrainingState state, long totalSteps) {
        resumedAt.add(state.step());
      }
    });
    assertThat(resumedAt).containsExactly(8L);
    assertThat(resumed.state().step()).isEqualTo(16);
    assertThat(resumed.state().epoch()).isEqualTo(2);
    assertThat(resumed.state().history()).hasSize(2);

    // Weights, running statistics and momentum buffers at the end equal the uninterrupted run's.
    Path a = straight.resolve(Trainer.CHECKPOINTS).resolve("epoch-002");
    Path b = stopped.resolve(Trainer.CHECKPOINTS).resolve("epoch-002");
    for (String file : List.of(Trainer.WEIGHTS, Trainer.OPTIMIZER)) {
      StateDictWeights expected = StateDictWeights.read(a.resolve(file));
      StateDictWeights actual = StateDictWeights.read(b.resolve(file));
      for (Map.Entry<String, long[]> e : uninterrupted.shapes().entrySet()) {
        if (expected.shape(e.getKey()) == null) {
          assertThat(actual.shape(e.getKey())).as(file + " " + e.getKey()).isNull();
          continue;
        }
        assertThat(actual.values(e.getKey(), e.getValue())).as(file + " " + e.getKey())
            .containsExactly(expected.values(e.getKey(), e.getValue()));
      }
    }
    assertThat(TrainingState.read(b).history().get(1).trainLoss()).isEqualTo(TrainingState.read(a).history().get(1).trainLoss());
  }

  @Test
  void momentumBuffersOfACheckpointAreTheOptimizerStateItResumesWith(@TempDir Path dir) throws IOException {
    Trainer trainer = new Trainer(new Batches(train.first(64), FashionMnist.PREPROCESSING), null);
    trainer.start(config(1, 32, 0.1f, "constant", 0, false, "all"), new SeededWeights(7), dir, new Trainer.Listener() {});
    Path checkpoint = Trainer.latest(dir).orElseThrow();
    StateDictWeights saved = StateDictWeights.read(checkpoint.resolve(Trainer.OPTIMIZER));
    StateDictWeights weights = StateDictWeights.read(checkpoint.resolve(Trainer.WEIGHTS));
    Map<String, float[]> momentum = new java.util.LinkedHashMap<>();
    Map<String, long[]> shapes = io.visionstream.model.resnet.ResNetArchitecture.RESNET18.parameterShapes(10,
        io.visionstream.model.resnet.Stem.CIFAR, 8);
    shapes.forEach((name, shape) -> {
      if (TrainingGraph.isTrainable(name)) {
        momentum.put(name, saved.values(name, shape));
      }
    });
    assertThat(maxDifference(momentum.get("conv1.weight"), new float[momentum.get("conv1.weight").length])).isGreaterThan(0);
    try (TrainingGraph graph = new TrainingGraph(io.visionstream.model.resnet.ResNetArchitecture.RESNET18, 10,
        io.visionstream.model.resnet.Stem.CIFAR, 8, 28, weights, momentum, name -> false, new TrainingGraph.Hyper(0.9f, 5e-4f))) {
      Map<String, float[]> restored = graph.momentumBuffers();
      assertThat(restored.keySet()).isEqualTo(momentum.keySet());
      restored.forEach((name, values) -> assertThat(values).as(name).containsExactly(momentum.get(name)));
    }
  }

  /** Non-trivial running statistics, so that a backbone whose batch norm moved would show it. */
  private static float[] perturbedStatistics(String name, float[] values) {
    if (name.endsWith("running_mean") || name.endsWith("running_var")) {
      SplittableRandom random = new SplittableRandom(name.hashCode());
      for (int i = 0; i < values.length; i++) {
        values[i] += (float) (random.nextDouble() * 0.2);
      }
    }
    return values;
  }

  private static float maxDifference(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
