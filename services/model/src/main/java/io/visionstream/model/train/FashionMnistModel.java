package io.visionstream.model.train;

import io.visionstream.model.savedmodel.Directories;
import io.visionstream.model.weights.StateDictWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Fashion-MNIST model this repository ships: the state dict of the run recorded in
 * BENCHMARKS.md, stored as float16 ({@value #WEIGHTS}) with that run's {@value TrainingState#FILE},
 * and 500 test images for the demo, all as resources of this library. {@link #ensure} rebuilds the
 * SavedModel the classifier serves from them.
 */
public final class FashionMnistModel {

  private static final String RESOURCES = "/io/visionstream/model/fashion-mnist/";
  public static final String WEIGHTS = "resnet18-fashion-mnist-fp16.npz";
  public static final String NAME = "fashion-mnist-resnet18";

  private FashionMnistModel() {}

  /** How the shipped weights were trained (configuration, epochs, accuracy per epoch). */
  public static TrainingState provenance() throws IOException {
    try (InputStream in = open(TrainingState.FILE)) {
      return TrainingState.read(in, RESOURCES + TrainingState.FILE);
    }
  }

  /** The model's SavedModel directory {@code dir}, exported from the shipped weights first if it is not there yet. */
  public static Path ensure(Path dir, Consumer<String> say) throws IOException {
    if (Files.exists(dir.resolve("saved_model.pb"))) {
      return dir;
    }
    TrainingState state = provenance();
    say.accept("building the trained Fashion-MNIST ResNet-18 (" + state.epoch() + " epochs, test accuracy "
        + String.format("%.4f", state.history().get(state.history().size() - 1).testAccuracy()) + ") in " + dir
        + " (first run only) ...");
    Path staging = dir.resolveSibling(dir.getFileName() + ".partial");
    Directories.deleteTree(staging);
    Files.createDirectories(staging);
    Path weightsFile = staging.resolve(WEIGHTS);
    copy(WEIGHTS, weightsFile);
    StateDictWeights weights = StateDictWeights.read(weightsFile);
    TrainingConfig c = state.config();
    Map<String, long[]> shapes = c.arch().parameterShapes(c.classes(), c.stemKind(), c.width());
    Map<String, float[]> values = new java.util.LinkedHashMap<>();
    shapes.forEach((name, shape) -> values.put(name, weights.values(name, shape)));
    Path model = staging.resolve("model");
    TrainedModels.export(new Trainer.Outcome(values, shapes, state), FashionMnist.CLASSES, NAME,
        "epoch-" + state.epoch() + "-fp16", FashionMnist.PREPROCESSING, model);
    Files.createDirectories(dir.getParent() == null ? Path.of(".") : dir.getParent());
    Files.move(model, dir);
    Directories.deleteTree(staging);
    return dir;
  }

  /** The first 500 images of Fashion-MNIST's test split (shipped, so the demo needs no download). */
  public static LabelledImages testSample() throws IOException {
    Path tmp = Files.createTempDirectory("fashion-mnist-sample");
    try {
      copy("t10k-sample-images-idx3-ubyte.gz", tmp.resolve("t10k-images-idx3-ubyte.gz"));
      copy("t10k-sample-labels-idx1-ubyte.gz", tmp.resolve("t10k-labels-idx1-ubyte.gz"));
      LabelledImages all = FashionMnist.load(tmp, FashionMnist.Split.TEST);
      return new LabelledImages("fashion-mnist test sample", all.count(), all.height(), all.width(), all.pixels(), all.labels(),
          all.classes());
    } finally {
      Directories.deleteTree(tmp);
    }
  }

  private static void copy(String resource, Path to) throws IOException {
    try (InputStream in = open(resource)) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = FashionMnistModel.class.getResourceAsStream(RESOURCES + resource);
    if (in == null) {
      throw new IOException("resource " + RESOURCES + resource + " is missing from the model library");
    }
    return in;
  }
}
