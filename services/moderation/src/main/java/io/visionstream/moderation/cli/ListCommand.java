package io.visionstream.moderation.cli;

import io.visionstream.schemas.policy.PolicyCheck;
import io.visionstream.schemas.policy.PolicyHeaders;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List the sources with a policy, its version, and whether their latest policy was rejected.")
final class ListCommand implements Callable<Integer> {

  @Mixin PolicyKafka kafka;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, ConsumerRecord<String, byte[]>> sorted = new TreeMap<>(kafka.accepted());
    out.printf("%-24s %-8s %s%n", "SOURCE", "VERSION", "STATUS");
    sorted.forEach((source, record) -> {
      PolicyCheck check = PolicyCheck.of(kafka.acceptedTopic, source, record.value());
      String rejected = DeadLetterHeaders.get(record.headers(), PolicyHeaders.REJECTED);
      if (check.policy() == null && rejected == null) {
        return; // deleted
      }
      String version = check.policy() == null ? "-" : Long.toString(check.policy().getVersion());
      out.printf("%-24s %-8s %s%n", source, version, rejected == null ? "applies" : rejected);
    });
    return 0;
  }
}
