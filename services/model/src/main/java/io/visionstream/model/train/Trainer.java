package io.visionstream.model.train;

import io.visionstream.model.weights.NpzWriter;
import io.visionstream.model.weights.StateDictWeights;
import io.visionstream.model.weights.WeightSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Runs a training configuration epoch by epoch: shuffled, augmented mini-batches (the last partial
 * batch of an epoch is dropped, as batch norm needs full batches), one SGD step each, then the test
 * accuracy and a checkpoint in {@code checkpoints/epoch-NNN/} of the run directory:
 * {@value #WEIGHTS} (the state dict, loadable by torchvision), {@value #OPTIMIZER} (momentum buffers)
 * and {@value TrainingState#FILE}. Shuffling and augmentation draw from a generator seeded by the run's
 * seed and the epoch, so a run resumed from a checkpoint sees the batches the uninterrupted run would.
 */
public final class Trainer {

  public static final String WEIGHTS = "weights.npz";
  public static final String OPTIMIZER = "optimizer.npz";
  public static final String CHECKPOINTS = "checkpoints";

  /** Receives progress; every method has a do-nothing default. */
  public interface Listener {
    default void started(TrainingState state, long totalSteps) {}

    default void stepped(long step, float loss, float learningRate, double imagesPerSecond) {}

    default void epochEnded(TrainingState.Epoch epoch, Path checkpoint) {}
  }

  /** A trained network: its state dict (torchvision layout) and the state of the last checkpoint. */
  public record Outcome(Map<String, float[]> weights, Map<String, long[]> shapes, TrainingState state) {}

  private final Batches train;
  private final Batches test;

  /** @param test evaluated after every epoch, or {@code null} */
  public Trainer(Batches train, Batches test) {
    this.train = train;
    this.test = test;
  }

  /** Trains a new run from {@code initial} weights into {@code runDir} (its checkpoints must not exist yet). */
  public Outcome start(TrainingConfig config, WeightSource initial, Path runDir, Listener listener) throws IOException {
    Path checkpoints = runDir.resolve(CHECKPOINTS);
    if (latest(runDir).isPresent()) {
      throw new IOException(runDir + " already holds checkpoints; resume it or choose another directory");
    }
    Files.createDirectories(checkpoints);
    TrainingState state = new TrainingState(TrainingState.FORMAT_VERSION, config, train.data().name(), initial.origin(), 0, 0,
        List.of());
    return run(state, initial, Map.of(), runDir, listener);
  }

  /**
   * Continues the run in {@code runDir} from its latest checkpoint, with its stored configuration
   * ({@code epochs} may raise the total).
   */
  public Outcome resume(Path runDir, Integer epochs, Listener listener) throws IOException {
    Path checkpoint = latest(runDir).orElseThrow(() -> new IOException(runDir + " has no checkpoint to resume from (looked in "
        + runDir.resolve(CHECKPOINTS) + ")"));
    TrainingState state = TrainingState.read(checkpoint);
    if (epochs != null) {
      state = new TrainingState(state.formatVersion(), state.config().withEpochs(epochs), state.dataset(), state.weightsOrigin(),
          state.epoch(), state.step(), state.history());
    }
    StateDictWeights weights = StateDictWeights.read(checkpoint.resolve(WEIGHTS));
    StateDictWeights buffers = StateDictWeights.read(checkpoint.resolve(OPTIMIZER));
    Map<String, float[]> momentum = new java.util.LinkedHashMap<>();
    for (var e : state.config().arch().parameterShapes(state.config().classes(), state.config().stemKind(),
        state.config().width()).entrySet()) {
      if (TrainingGraph.trains(e.getKey(), state.config()::frozen)) {
        momentum.put(e.getKey(), buffers.values(e.getKey(), e.getValue()));
      }
    }
    return run(state, weights, momentum, runDir, listener);
  }

  /** The latest {@code checkpoints/epoch-NNN} directory of a run, if any. */
  public static Optional<Path> latest(Path runDir) throws IOException {
    Path checkpoints = runDir.resolve(CHECKPOINTS);
    if (!Files.isDirectory(checkpoints)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(checkpoints)) {
      return dirs.filter(d -> d.getFileName().toString().matches("epoch-\\d+") && Files.exists(d.resolve(TrainingState.FILE)))
          .max(java.util.Comparator.comparing(d -> d.getFileName().toString()));
    }
  }

  private Outcome run(TrainingState state, WeightSource weights, Map<String, float[]> momentum, Path runDir, Listener listener)
      throws IOException {
    TrainingConfig config = state.config();
    int batch = config.batchSize();
    int stepsPerEpoch = train.data().count() / batch;
    if (stepsPerEpoch == 0) {
      throw new IllegalArgumentException(train.data().name() + " has " + train.data().count() + " images, fewer than one batch of "
          + batch);
    }
    long totalSteps = (long) stepsPerEpoch * config.epochs();
    LearningRate schedule = new LearningRate(LearningRate.Schedule.parse(config.schedule()), config.learningRate(),
        Math.round(config.warmupEpochs() * stepsPerEpoch), totalSteps);
    List<TrainingState.Epoch> history = new ArrayList<>(state.history());
    try (TrainingGraph graph = new TrainingGraph(config.arch(), config.classes(), config.stemKind(), config.width(),
        config.inputSize(), weights, momentum, config::frozen, new TrainingGraph.Hyper(config.momentum(), config.weightDecay()))) {
      graph.setStep(state.step());
      long step = state.step();
      listener.started(state, totalSteps);
      for (int epoch = state.epoch(); epoch < config.epochs(); epoch++) {
        SplittableRandom random = new SplittableRandom(config.seed() * 1_000_003L + epoch);
        int[] order = train.shuffled(random);
        double lossSum = 0;
        long correct = 0;
        long start = System.nanoTime();
        float lr = 0;
        for (int b = 0; b < stepsPerEpoch; b++) {
          lr = schedule.at(step);
          TrainingGraph.StepOutcome outcome;
          try (TFloat32 images = train.images(order, b * batch, (b + 1) * batch, config.augmentation(), random);
              TInt32 labels = train.labels(order, b * batch, (b + 1) * batch)) {
            outcome = graph.step(images, labels, lr);
          }
          float loss = outcome.loss();
          lossSum += loss;
          correct += outcome.correct();
          long elapsed = System.nanoTime() - start;
          step++;
          listener.stepped(step, loss, lr, (b + 1) * (double) batch / (elapsed / 1e9));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double testAccuracy = test == null ? -1 : accuracy(graph, test);
        TrainingState.Epoch summary = new TrainingState.Epoch(epoch + 1, step, lossSum / stepsPerEpoch,
            correct / ((double) stepsPerEpoch * batch),
            testAccuracy, lr, seconds, stepsPerEpoch * (double) batch / seconds);
        history.add(summary);
        state = new TrainingState(TrainingState.FORMAT_VERSION, config, state.dataset(), state.weightsOrigin(), epoch + 1,
            graph.step(), List.copyOf(history)); // the graph's own count, saved with its variables
        Path checkpoint = save(graph, state, runDir);
        listener.epochEnded(summary, checkpoint);
      }
      return new Outcome(graph.state(), graph.shapes(), state);
    }
  }

  private static Path save(TrainingGraph graph, TrainingState state, Path runDir) throws IOException {
    Path dir = runDir.resolve(CHECKPOINTS).resolve(String.format("epoch-%03d", state.epoch()));
    Files.createDirectories(dir);
    Map<String, long[]> shapes = graph.shapes();
    NpzWriter.write(dir.resolve(WEIGHTS), graph.state(), shapes, false);
    NpzWriter.write(dir.resolve(OPTIMIZER), graph.momentumBuffers(), shapes, false);
    state.write(dir); // last: a checkpoint counts once its state is there
    return dir;
  }

  /** Top-1 accuracy of the network in inference mode. */
  public static double accuracy(TrainingGraph graph, Batches data) {
    int[] predicted = predict(graph, data);
    long correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] == data.data().labels()[i]) {
        correct++;
      }
    }
    return correct / (double) predicted.length;
  }

  /** The top-1 class of every image, in inference mode, in batches of 500. */
  public static int[] predict(TrainingGraph graph, Batches data) {
    int n = data.data().count();
    int[] order = data.inOrder();
    int[] out = new int[n];
    for (int from = 0; from < n; from += 500) {
      int to = Math.min(n, from + 500);
      float[] logits;
      try (TFloat32 images = data.images(order, from, to, Batches.Augmentation.NONE, null)) {
        logits = graph.logits(images);
      }
      int classes = logits.length / (to - from);
      for (int i = 0; i < to - from; i++) {
        out[from + i] = TrainingGraph.argMax(logits, i * classes, classes);
      }
    }
    return out;
  }
}
