package io.visionstream.model.cli;

import io.visionstream.model.savedmodel.Directories;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.Stem;
import io.visionstream.model.train.FashionMnist;
import io.visionstream.model.train.TrainedModels;
import io.visionstream.model.train.Trainer;
import io.visionstream.model.train.TrainingConfig;
import io.visionstream.model.weights.NpzWriter;
import io.visionstream.model.weights.SeededWeights;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Trains a ResNet on Fashion-MNIST with SGD (momentum, weight decay), batch norm in training mode, "
        + "random crops and flips and a cosine learning-rate schedule; checkpoints every epoch and exports the "
        + "result as a SavedModel the classifier serves.",
        "Run directory: checkpoints/epoch-NNN/ (weights.npz, optimizer.npz, trainer.json), weights.npz, model/."})
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "Run directory (checkpoints, final weights, exported model).")
  Path out;

  @Option(names = "--resume", description = "Continue the run in --out from its latest checkpoint, with its settings.")
  boolean resume;

  @Option(names = "--arch", defaultValue = "resnet18", description = "resnet18, resnet34, resnet50, … (default: ${DEFAULT-VALUE}).")
  String arch;

  @Option(names = "--stem", defaultValue = "cifar", description = "cifar (3×3 stride-1 conv, no max-pool; for 28–32 px) or imagenet "
      + "(default: ${DEFAULT-VALUE}).")
  String stem;

  @Option(names = "--width", defaultValue = "64", description = "Channels of stage 1; later stages double it (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--epochs", description = "Epochs in total (default: 15; with --resume, the run's own).")
  Integer epochs;

  @Option(names = "--batch-size", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.1", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(names = "--schedule", defaultValue = "cosine", description = "cosine or constant, after warm-up (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--warmup-epochs", defaultValue = "1", description = "Linear warm-up (default: ${DEFAULT-VALUE}).")
  float warmup;

  @Option(names = "--momentum", defaultValue = "0.9", description = "Default: ${DEFAULT-VALUE}.")
  float momentum;

  @Option(names = "--weight-decay", defaultValue = "5e-4", description = "On conv and linear weights (default: ${DEFAULT-VALUE}).")
  float weightDecay;

  @Option(names = "--crop-padding", defaultValue = "2", description = "Random crop from the image padded by this many pixels; 0 "
      + "turns it off (default: ${DEFAULT-VALUE}).")
  int cropPadding;

  @Option(names = "--no-flip", description = "No random horizontal flips.")
  boolean noFlip;

  @Option(names = "--seed", defaultValue = "1", description = "Initial weights, shuffling and augmentation (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--name", defaultValue = "fashion-mnist-resnet", description = "Exported model name (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--fp16-weights", description = "Also write the final state dict as float16 .npz to this file (to ship).")
  Path halfWeights;

  @Mixin
  DatasetOptions dataset;

  @Override
  public Integer call() throws Exception {
    Trainer trainer = dataset.trainer();
    long start = System.nanoTime();
    Trainer.Outcome outcome;
    try (TrainingProgress progress = new TrainingProgress()) {
      if (resume) {
        outcome = trainer.resume(out, epochs, progress);
      } else {
        TrainingConfig config = new TrainingConfig(ResNetArchitecture.parse(arch).torchvisionName(),
            Stem.parse(stem).name().toLowerCase(java.util.Locale.ROOT), width, FashionMnist.CLASSES.size(), FashionMnist.SIZE,
            epochs == null ? 15 : epochs, batchSize, lr, schedule, warmup, momentum, weightDecay, cropPadding, !noFlip, seed, "all");
        outcome = trainer.start(config, new SeededWeights(seed), out, progress);
      }
    }
    finish(outcome, out, name, halfWeights, start);
    return 0;
  }

  /** Writes the final weights and exports the model into the run directory, and says so. */
  static void finish(Trainer.Outcome outcome, Path out, String name, Path halfWeights, long start) throws Exception {
    NpzWriter.write(out.resolve(Trainer.WEIGHTS), outcome.weights(), outcome.shapes(), false);
    if (halfWeights != null) {
      NpzWriter.write(halfWeights, outcome.weights(), outcome.shapes(), true);
    }
    Path model = out.resolve("model");
    Directories.deleteTree(model);
    var metadata = TrainedModels.export(outcome, FashionMnist.CLASSES, name, "epoch-" + outcome.state().epoch(),
        FashionMnist.PREPROCESSING, model);
    var last = outcome.state().history().get(outcome.state().history().size() - 1);
    System.out.printf("trained %d epochs (%d steps) in %.1f min; test accuracy %.4f; exported %s to %s (%s)%n",
        outcome.state().epoch(), outcome.state().step(), (System.nanoTime() - start) / 60e9, last.testAccuracy(),
        metadata.name(), model, metadata.weightsOrigin());
  }
}
