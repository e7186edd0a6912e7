package io.visionstream.model.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code visionstream-model}: build, inspect, run and measure image-classification SavedModels. */
@Command(name = "visionstream-model", mixinStandardHelpOptions = true, version = "visionstream-model 0.1.0",
    description = "Builds ResNet SavedModels (seeded or from a torchvision state dict), inspects and runs them.",
    subcommands = {BuildCommand.class, FashionMnistCommand.class, TrainCommand.class, FineTuneCommand.class, EvaluateCommand.class, ClassifyCommand.class, InspectCommand.class, BenchCommand.class, SoakCommand.class, SwapSoakCommand.class, AgreementCommand.class, PreprocessBenchCommand.class})
public final class ModelCommand {

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "visionstream-model-logback.xml");
    }
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new ModelCommand())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
          return 1;
        })
        .execute(args);
  }
}
