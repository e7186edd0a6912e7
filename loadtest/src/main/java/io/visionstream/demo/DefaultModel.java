package io.visionstream.demo;

import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.savedmodel.Directories;
import io.visionstream.model.savedmodel.Labels;
import io.visionstream.model.savedmodel.ModelExporter;
import io.visionstream.model.train.FashionMnistModel;
import io.visionstream.model.weights.SeededWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The models the demo and the load test serve when none is given, exported once under
 * {@code .local/models} (relative to the working directory): a ResNet-50 with seeded weights, or
 * with {@code --fashion-mnist} the Fashion-MNIST ResNet-18 rebuilt from the weights the model library ships.
 */
public final class DefaultModel {

  public static final Path DIR = home().resolve(Path.of(".local", "models", "resnet50-seed42"));
  public static final Path FASHION_MNIST_DIR = home().resolve(Path.of(".local", "models", FashionMnistModel.NAME));

  /**
   * Where the tools keep what they make by default ({@code .local/}): the repository the launchers
   * run from ({@code -Dvisionstream.home}), else the working directory.
   */
  public static Path home() {
    return Path.of(System.getProperty("visionstream.home", "."));
  }

  private DefaultModel() {}

  /** The Fashion-MNIST model's directory, exported first if it is not there yet. */
  public static Path ensureFashionMnist(Consumer<String> say) throws IOException {
    return FashionMnistModel.ensure(FASHION_MNIST_DIR, say);
  }

  /** The default model's directory, exported first if it is not there yet. */
  public static Path ensure(Consumer<String> say) throws IOException {
    if (Files.exists(DIR.resolve("saved_model.pb"))) {
      return DIR;
    }
    say.accept("building a seeded ResNet-50 SavedModel in " + DIR + " (first run only) ...");
    Path staging = DIR.resolveSibling(DIR.getFileName() + ".partial");
    Directories.deleteTree(staging);
    ModelExporter.export(new ModelExporter.Request(ResNetArchitecture.RESNET50, 1000, new SeededWeights(42), Labels.imagenet(),
        "resnet50", "seed-42", ResNetBuilder.Options.DEFAULT, Preprocessing.TORCHVISION), staging);
    Files.move(staging, DIR);
    return DIR;
  }
}
