package io.visionstream.model.train;

import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.savedmodel.ModelExporter;
import io.visionstream.model.savedmodel.ModelMetadata;
import io.visionstream.model.weights.InMemoryWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Exports trained networks as the SavedModel + labels + metadata the classifier serves. */
public final class TrainedModels {

  private TrainedModels() {}

  /**
   * Exports {@code outcome} into {@code dir} (absent or empty), batch norm folded into the convolutions.
   *
   * @param preprocessing how the classifier turns images into the network's input; its crop size
   *     must be the training input size
   */
  public static ModelMetadata export(Trainer.Outcome outcome, List<String> labels, String name, String version,
      Preprocessing preprocessing, Path dir) throws IOException {
    TrainingConfig c = outcome.state().config();
    TrainingState.Epoch last = outcome.state().history().isEmpty() ? null
        : outcome.state().history().get(outcome.state().history().size() - 1);
    String origin = "trained on " + outcome.state().dataset() + ", " + outcome.state().epoch() + " epochs, "
        + outcome.state().step() + " steps from " + outcome.state().weightsOrigin()
        + (last != null && last.testAccuracy() >= 0 ? String.format(", test accuracy %.4f", last.testAccuracy()) : "");
    return ModelExporter.export(new ModelExporter.Request(c.arch(), c.classes(), new InMemoryWeights(outcome.weights(), origin),
        labels, name, version, new ResNetBuilder.Options(c.inputSize(), true, c.stemKind(), c.width()), preprocessing), dir);
  }
}
