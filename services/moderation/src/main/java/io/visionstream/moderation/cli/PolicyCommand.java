package io.visionstream.moderation.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code policy}: put, get, list and delete moderation policies without hand-crafting Avro. Exit
 * codes: 0 done, 1 not found or Kafka failed, 2 bad usage or a rejected policy.
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = "Put, get, list and delete the moderation policies of sources.",
    subcommands = {PutCommand.class, GetCommand.class, ListCommand.class, DeleteCommand.class},
    exitCodeOnInvalidInput = PolicyCommand.USAGE)
public final class PolicyCommand implements Runnable {

  static final int NOT_FOUND = 1;
  static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "moderation-cli-logback.xml");
    }
    System.exit(commandLine().execute(args));
  }

  /** The command line, exit codes as documented; Kafka failures print one line, not a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new PolicyCommand());
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("policy " + line.getCommandName() + ": " + e.getMessage());
      return NOT_FOUND;
    });
    return cli;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: put, get, list or delete");
  }
}
