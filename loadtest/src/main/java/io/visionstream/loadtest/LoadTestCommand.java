package io.visionstream.loadtest;

import io.visionstream.loadtest.cli.RunCommand;
import io.visionstream.loadtest.cli.SweepCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code loadtest run} and {@code loadtest sweep}; see loadtest/README.md. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, subcommands = {RunCommand.class, SweepCommand.class},
    description = "Open-loop camera-feed load test of a visionstream deployment (the local stack by default).")
public final class LoadTestCommand {

  /** The run could not be done (no broker, classifier never ready, ...), as opposed to a missed threshold (1). */
  public static final int EXIT_RUN_FAILED = 3;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "demo-logback.xml");
    }
    System.setProperty("java.awt.headless", "true");
    CommandLine cli = new CommandLine(new LoadTestCommand());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof IllegalArgumentException) {
        commandLine.getErr().println("loadtest: " + e.getMessage());
        return CommandLine.ExitCode.USAGE;
      }
      commandLine.getErr().println("loadtest: the run failed: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      if (e.getMessage() == null || Boolean.getBoolean("visionstream.loadtest.stacktrace")) {
        e.printStackTrace(commandLine.getErr());
      }
      return EXIT_RUN_FAILED;
    });
    return cli;
  }
}
