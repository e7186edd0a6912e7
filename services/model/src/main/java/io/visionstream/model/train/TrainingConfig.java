package io.visionstream.model.train;

import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.Stem;

/**
 * What a training run does; stored with every checkpoint, so a resumed run continues the same run.
 *
 * @param architecture {@code resnet18}, {@code resnet34}, {@code resnet50}, …
 * @param stem {@code cifar} or {@code imagenet}
 * @param width channels of stage 1 (torchvision: 64)
 * @param epochs epochs in total (a resumed run trains the ones left)
 * @param learningRate peak learning rate, after warm-up
 * @param schedule {@code cosine} or {@code constant}
 * @param warmupEpochs linear warm-up from a tenth of the peak, in epochs (may be fractional)
 * @param cropPadding random-crop padding in pixels (0: no crop)
 * @param flip random horizontal flips
 * @param seed seeds initial weights (when new), shuffling and augmentation
 * @param trainOnly {@code all}, or {@code head} to train the final layer only (frozen backbone)
 */
public record TrainingConfig(String architecture, String stem, int width, int classes, int inputSize, int epochs,
    int batchSize, float learningRate, String schedule, float warmupEpochs, float momentum, float weightDecay,
    int cropPadding, boolean flip, long seed, String trainOnly) {

  public TrainingConfig {
    ResNetArchitecture.parse(architecture);
    Stem.parse(stem);
    LearningRate.Schedule.parse(schedule);
    require(width > 0, "width", width);
    require(classes > 1, "classes", classes);
    require(inputSize > 0, "input size", inputSize);
    require(epochs > 0, "epochs", epochs);
    require(batchSize > 1, "batch size (batch norm needs 2 or more)", batchSize);
    require(learningRate > 0, "learning rate", learningRate);
    require(warmupEpochs >= 0, "warm-up epochs", warmupEpochs);
    require(momentum >= 0 && momentum < 1, "momentum", momentum);
    require(weightDecay >= 0, "weight decay", weightDecay);
    require(cropPadding >= 0, "crop padding", cropPadding);
    if (!trainOnly.equals("all") && !trainOnly.equals("head")) {
      throw new IllegalArgumentException("train-only must be all or head, got '" + trainOnly + "'");
    }
  }

  private static void require(boolean ok, String what, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(what + " out of range: " + value);
    }
  }

  public ResNetArchitecture arch() {
    return ResNetArchitecture.parse(architecture);
  }

  public Stem stemKind() {
    return Stem.parse(stem);
  }

  /** Whether training leaves parameter {@code name} alone: with {@code head}, everything but {@code fc.*}. */
  public boolean frozen(String name) {
    return trainOnly.equals("head") && !name.startsWith("fc.");
  }

  public Batches.Augmentation augmentation() {
    return new Batches.Augmentation(cropPadding, flip);
  }

  public TrainingConfig withEpochs(int n) {
    return new TrainingConfig(architecture, stem, width, classes, inputSize, n, batchSize, learningRate, schedule, warmupEpochs,
        momentum, weightDecay, cropPadding, flip, seed, trainOnly);
  }
}
