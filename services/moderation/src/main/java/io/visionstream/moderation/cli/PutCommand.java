package io.visionstream.moderation.cli;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.policy.InvalidPolicyException;
import io.visionstream.schemas.policy.PolicyJson;
import io.visionstream.schemas.policy.PolicyProblem;
import io.visionstream.schemas.serde.AvroSerdes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "put", mixinStandardHelpOptions = true,
    description = {"Check a policy (JSON) and, when it is valid, publish it for a source.",
        "A policy with problems is not published: every problem is printed and the exit code is 2."})
final class PutCommand implements Callable<Integer> {

  @Mixin PolicyKafka kafka;

  @Option(names = "--source", required = true, description = "Source id the policy is for, or __default__.")
  String source;

  @Option(names = "--file", required = true, paramLabel = "FILE", description = "The policy as JSON; - reads stdin.")
  String file;

  @Option(names = "--dry-run", description = "Check the policy only; publish nothing.")
  boolean dryRun;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String json;
    try {
      json = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      err.println("cannot read " + file + ": no such file");
      return PolicyCommand.USAGE;
    } catch (IOException e) {
      err.println("cannot read " + file + ": " + e.getMessage());
      return PolicyCommand.USAGE;
    }
    ModerationPolicy policy;
    try {
      policy = PolicyJson.read(source, json);
    } catch (InvalidPolicyException e) {
      err.println("policy for " + source + " in " + file + " rejected, nothing published (" + e.problems().size()
          + (e.problems().size() == 1 ? " problem):" : " problems):"));
      for (PolicyProblem problem : e.problems()) {
        err.println("  " + problem);
      }
      return PolicyCommand.USAGE;
    }
    if (dryRun) {
      out.println("policy for " + source + " is valid (version " + policy.getVersion() + "); nothing published (--dry-run)");
      return 0;
    }
    byte[] value = AvroSerdes.of(ModerationPolicy.class).serializer().serialize(kafka.policiesTopic, policy);
    RecordMetadata written = kafka.put(source, value);
    out.println("published version " + policy.getVersion() + " of the policy for " + source + " to " + written.topic()
        + " (partition " + written.partition() + ", offset " + written.offset() + "); it applies once the moderation "
        + "service has screened it: policy get --source " + source);
    return 0;
  }
}
