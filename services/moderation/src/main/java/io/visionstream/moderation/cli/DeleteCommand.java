package io.visionstream.moderation.cli;

import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "delete", mixinStandardHelpOptions = true,
    description = "Delete a source's policy (a tombstone): the source is then judged by __default__.")
final class DeleteCommand implements Callable<Integer> {

  @Mixin PolicyKafka kafka;

  @Option(names = "--source", required = true, description = "Source id, or __default__.")
  String source;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RecordMetadata written = kafka.put(source, null);
    spec.commandLine().getOut().println("deleted the policy of " + source + " (tombstone at " + written.topic() + " partition "
        + written.partition() + ", offset " + written.offset() + "); it is judged by "
        + (source.equals("__default__") ? "the built-in policy (every classified image to review)" : "__default__")
        + " once the moderation service has screened it");
    return 0;
  }
}
