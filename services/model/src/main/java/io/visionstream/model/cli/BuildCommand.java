package io.visionstream.model.cli;

import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.savedmodel.Labels;
import io.visionstream.model.savedmodel.ModelExporter;
import io.visionstream.model.savedmodel.ModelMetadata;
import io.visionstream.model.weights.SeededWeights;
import io.visionstream.model.weights.StateDictWeights;
import io.visionstream.model.weights.WeightSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Builds a ResNet and exports it as a SavedModel with labels and metadata.")
final class BuildCommand implements Callable<Integer> {

  @Option(names = "--arch", defaultValue = "resnet50", description = "resnet18, resnet34, resnet50, resnet101 or resnet152 (default: ${DEFAULT-VALUE}).")
  String arch;

  static final class Weights {
    @Option(names = "--seed", description = "Seeded He-normal initialisation.")
    Long seed;

    @Option(names = "--weights", description = "torchvision state dict saved with np.savez.")
    Path file;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Weights weights;

  @Option(names = "--classes", defaultValue = "1000", description = "Classes of the final layer (default: ${DEFAULT-VALUE}).")
  int classes;

  @Option(names = "--labels", description = "Class names, one per line (default: ImageNet's for 1000 classes).")
  Path labels;

  @Option(names = "--input-size", defaultValue = "224", description = "Input height and width (default: ${DEFAULT-VALUE}).")
  int inputSize;

  @Option(names = "--no-fold-batch-norm", description = "Keep FusedBatchNorm ops instead of folding them into convolutions.")
  boolean noFold;

  @Option(names = "--name", description = "Model name (default: the architecture).")
  String name;

  @Option(names = "--version", description = "Model version (default: seed-N or the weights file name).")
  String version;

  @Option(names = "--out", required = true, description = "Directory to create (must be absent or empty).")
  Path out;

  @Override
  public Integer call() throws Exception {
    ResNetArchitecture architecture = ResNetArchitecture.parse(arch);
    WeightSource source = weights.seed != null ? new SeededWeights(weights.seed) : StateDictWeights.read(weights.file);
    List<String> names = labels != null ? Labels.read(labels) : Labels.defaultFor(classes);
    String modelVersion = version != null ? version
        : weights.seed != null ? "seed-" + weights.seed : weights.file.getFileName().toString().replaceFirst("\\.npz$", "");
    long start = System.nanoTime();
    ModelMetadata metadata = ModelExporter.export(new ModelExporter.Request(architecture, classes, source, names,
        name != null ? name : architecture.torchvisionName(), modelVersion, new ResNetBuilder.Options(inputSize, !noFold),
        Preprocessing.TORCHVISION.withCropSize(inputSize)), out);
    System.out.printf("exported %s %s (%s, %d classes, weights %s) to %s in %.1f s%n", metadata.name(), metadata.version(),
        metadata.architecture(), metadata.classes(), metadata.weightsOrigin(), out, (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
