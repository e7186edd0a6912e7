package io.visionstream.model.cli;

import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.Stem;
import io.visionstream.model.train.FashionMnist;
import io.visionstream.model.train.ReplacedHead;
import io.visionstream.model.train.Trainer;
import io.visionstream.model.train.TrainingConfig;
import io.visionstream.model.weights.InMemoryWeights;
import io.visionstream.model.weights.SeededWeights;
import io.visionstream.model.weights.StateDictWeights;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fine-tune", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Adapts a trained ResNet (a torchvision state dict .npz, or weights.npz of a visionstream run) to "
        + "Fashion-MNIST's classes: replaces the final layer, trains it with the backbone frozen, then optionally "
        + "unfreezes everything for further epochs at a lower learning rate.",
        "Run directory: head/ and unfrozen/ (each with checkpoints/), weights.npz, model/."})
final class FineTuneCommand implements Callable<Integer> {

  @Option(names = "--weights", required = true, description = "State dict (.npz) of the network to adapt.")
  Path weights;

  @Option(names = "--arch", required = true, description = "Its architecture: resnet18, resnet34, resnet50, …")
  String arch;

  @Option(names = "--stem", defaultValue = "imagenet", description = "Its stem: imagenet (torchvision) or cifar (default: ${DEFAULT-VALUE}).")
  String stem;

  @Option(names = "--width", defaultValue = "64", description = "Its stage-1 width (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--out", required = true, description = "Run directory.")
  Path out;

  @Option(names = "--epochs", defaultValue = "3", description = "Epochs training the new head only (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--lr", defaultValue = "0.1", description = "Peak learning rate for the head (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(names = "--unfreeze-epochs", defaultValue = "0", description = "Then train every layer for this many epochs "
      + "(default: ${DEFAULT-VALUE}).")
  int unfreezeEpochs;

  @Option(names = "--unfreeze-lr", defaultValue = "0.01", description = "Peak learning rate once unfrozen (default: ${DEFAULT-VALUE}).")
  float unfreezeLr;

  @Option(names = "--batch-size", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--weight-decay", defaultValue = "5e-4", description = "Default: ${DEFAULT-VALUE}.")
  float weightDecay;

  @Option(names = "--seed", defaultValue = "1", description = "New head's initial weights, shuffling, augmentation (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--name", defaultValue = "fashion-mnist-finetuned", description = "Exported model name (default: ${DEFAULT-VALUE}).")
  String name;

  @Mixin
  DatasetOptions dataset;

  @Override
  public Integer call() throws Exception {
    Trainer trainer = dataset.trainer();
    String architecture = ResNetArchitecture.parse(arch).torchvisionName();
    String stemName = Stem.parse(stem).name().toLowerCase(Locale.ROOT);
    long start = System.nanoTime();
    Trainer.Outcome outcome;
    try (TrainingProgress progress = new TrainingProgress()) {
      outcome = trainer.start(config(architecture, stemName, epochs, lr, "head"),
          new ReplacedHead(StateDictWeights.read(weights), new SeededWeights(seed)), out.resolve("head"), progress);
    }
    if (unfreezeEpochs > 0) {
      try (TrainingProgress progress = new TrainingProgress()) {
        outcome = trainer.start(config(architecture, stemName, unfreezeEpochs, unfreezeLr, "all"),
            new InMemoryWeights(outcome.weights(), outcome.state().weightsOrigin() + ", head trained " + outcome.state().epoch()
                + " epochs"), out.resolve("unfrozen"), progress);
      }
    }
    TrainCommand.finish(outcome, out, name, null, start);
    return 0;
  }

  private TrainingConfig config(String architecture, String stemName, int n, float rate, String trainOnly) {
    return new TrainingConfig(architecture, stemName, width, FashionMnist.CLASSES.size(), FashionMnist.SIZE, n, batchSize, rate,
        "cosine", 0, 0.9f, weightDecay, 2, true, seed, trainOnly);
  }
}
