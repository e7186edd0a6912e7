package io.visionstream.moderation.cli;

import io.visionstream.schemas.policy.PolicyCheck;
import io.visionstream.schemas.policy.PolicyHeaders;
import io.visionstream.schemas.policy.PolicyJson;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Print the policy that applies to a source (JSON), as the moderation service applies it.",
        "Says on stderr when the latest policy put for it was rejected. Exit code 1 when it has none of its own."})
final class GetCommand implements Callable<Integer> {

  @Mixin PolicyKafka kafka;

  @Option(names = "--source", required = true, description = "Source id, or __default__.")
  String source;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConsumerRecord<String, byte[]> record = kafka.accepted().get(source);
    String rejected = record == null ? null : DeadLetterHeaders.get(record.headers(), PolicyHeaders.REJECTED);
    if (rejected != null) {
      err.println("note: " + source + ": " + rejected);
    }
    PolicyCheck check = record == null ? null : PolicyCheck.of(kafka.acceptedTopic, source, record.value());
    if (check == null || check.policy() == null) {
      err.println(source + " has no policy of its own: it is judged by __default__ (or, without one, every classified "
          + "image goes to review)");
      return PolicyCommand.NOT_FOUND;
    }
    out.println(PolicyJson.write(check.policy()));
    return 0;
  }
}
