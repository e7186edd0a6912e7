package io.visionstream.model.cli;

import io.visionstream.model.train.FashionMnistModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fashion-mnist", mixinStandardHelpOptions = true,
    description = {"Exports the Fashion-MNIST ResNet-18 this project trained (weights shipped in the model library) as a "
        + "SavedModel the classifier serves, e.g. to bake it into a container image."})
final class FashionMnistCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "Directory to create (must be absent or empty).")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (Files.isDirectory(out)) {
      try (var entries = Files.list(out)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(out + " is not empty");
        }
      }
      Files.delete(out);
    }
    Path model = FashionMnistModel.ensure(out, System.err::println);
    System.out.println(model.toAbsolutePath());
    return 0;
  }
}
