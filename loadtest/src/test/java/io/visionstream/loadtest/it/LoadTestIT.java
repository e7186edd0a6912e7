package io.visionstream.loadtest.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.loadtest.LoadTestCommand;
import io.visionstream.loadtest.it.Responder.Behaviour;
import io.visionstream.loadtest.report.Reports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The load test against a cluster (the test broker) where a {@link Responder} plays the
 * classifier, so that its speed and its faults are known.
 */
@WithKafkaBroker
class LoadTestIT {

  @TempDir Path reports;

  private record Topics(String input, String predictions, String deadLetters, String group) {}

  private static Topics topics(KafkaTestBroker broker) {
    Topics t = new Topics(broker.uniqueTopic("lt-input"), broker.uniqueTopic("lt-predictions"), broker.uniqueTopic("lt-dlq"),
        broker.uniqueTopic("lt-group"));
    broker.createTopic(t.input(), 4);
    broker.createTopic(t.predictions(), 4);
    broker.createTopic(t.deadLetters(), 1);
    return t;
  }

  private record Result(int exit, JsonNode report, String out, String err) {}

  private Result run(KafkaTestBroker broker, Topics t, Path dir, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", broker.bootstrapServers(),
        "--input-topic", t.input(), "--predictions-topic", t.predictions(), "--dead-letter-topic", t.deadLetters(),
        "--classifier-group", t.group(), "--resolutions", "320x240", "--pool-size", "6", "--progress", "never",
        "--report-dir", dir.toString()));
    args.addAll(List.of(extra));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = LoadTestCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args.toArray(String[]::new));
    JsonNode report = Files.exists(dir.resolve(Reports.JSON)) ? Reports.json().readTree(dir.resolve(Reports.JSON).toFile()) : null;
    return new Result(exit, report, out.toString(), err.toString());
  }

  @Test
  void aSlowPipelineShowsAsGrowingLatencyWhileTheSendRateHolds(KafkaTestBroker broker) throws Exception {
    Topics t = topics(broker);
    // 10 events/s of capacity against 25 offered: the open-loop schedule must not slow down.
    try (Responder slow = new Responder(broker, t.input(), t.predictions(), t.deadLetters(), t.group(), Duration.ofMillis(100),
        i -> Behaviour.CLASSIFY)) {
      Result r = run(broker, t, reports.resolve("slow"), "--cameras", "5", "--rate", "25", "--duration", "6s",
          "--warmup", "0s", "--drain-timeout", "60s", "--slo-p99", "1s");
      JsonNode s = r.report().get("summary");
      assertThat(s.get("sent").asLong()).isEqualTo(150);
      assertThat(s.get("achievedSendRate").asDouble()).as("send rate under overload").isBetween(22.5, 27.5);
      assertThat(s.get("throughput").asDouble()).as("classified/s is the responder's capacity").isBetween(6.0, 11.0);
      assertThat(s.get("missing").asLong()).isZero();
      assertThat(s.get("classified").asLong()).isEqualTo(150);
      // Latency grows while sending, by about (25 - 10) / 25 s per second sent: ~3 s over the 5 s
      // between the first and last interval. A second's p50 is noisy (the responder's consumer drains
      // one partition's backlog at a time), so the bound is half of that.
      List<Double> p50 = new ArrayList<>();
      List<Long> backlog = new ArrayList<>();
      for (JsonNode interval : r.report().get("timeline")) {
        if (interval.get("t").asDouble() <= 6.5 && !interval.get("latencyP50").isNull()) {
          p50.add(interval.get("latencyP50").asDouble());
          backlog.add(interval.get("outstanding").asLong());
        }
      }
      assertThat(p50).hasSizeGreaterThanOrEqualTo(5);
      assertThat(p50.get(p50.size() - 1)).as("latency at the end vs the start of sending: %s", p50)
          .isGreaterThan(p50.get(0) + 1_500);
      assertThat(backlog.get(backlog.size() - 1)).as("backlog %s", backlog).isGreaterThan(backlog.get(0) + 40);
      assertThat(s.get("latency").get("max").asDouble()).isGreaterThan(8_000);
      // The SLO is missed, and the exit code says so.
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.report().get("verdict").get("failures").get(0).asText()).contains("p99 latency").contains("above the SLO of 1000 ms");
      assertThat(Files.readString(reports.resolve("slow").resolve(Reports.HTML))).contains("<svg").contains("latency-over-time");
    }
  }

  @Test
  void droppedEventsAreCountedMissingAndEveryOtherOutcomeByKind(KafkaTestBroker broker) throws Exception {
    Topics t = topics(broker);
    try (Responder faulty = new Responder(broker, t.input(), t.predictions(), t.deadLetters(), t.group(), Duration.ZERO,
        i -> switch ((int) (i % 10)) {
          case 3 -> Behaviour.DROP;
          case 5 -> Behaviour.DUPLICATE;
          case 7 -> Behaviour.DEAD_LETTER;
          case 9 -> Behaviour.SKIP;
          default -> Behaviour.CLASSIFY;
        })) {
      Result r = run(broker, t, reports.resolve("faulty"), "--cameras", "3", "--rate", "30", "--count", "60",
          "--warmup", "0s", "--drain-timeout", "5s");
      JsonNode s = r.report().get("summary");
      assertThat(faulty.handled()).isEqualTo(60);
      assertThat(s.get("sent").asLong()).isEqualTo(60);
      assertThat(s.get("missing").asLong()).isEqualTo(6);
      assertThat(s.get("duplicates").asLong()).isEqualTo(6);
      assertThat(s.get("deadLettered").asLong()).isEqualTo(6);
      assertThat(s.get("deadLetterReasons").get("IMAGE_REJECTED").asLong()).isEqualTo(6);
      assertThat(s.get("skipped").asLong()).isEqualTo(6);
      assertThat(s.get("classified").asLong()).isEqualTo(42);
      assertThat(s.get("drained").asBoolean()).isFalse();
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.report().get("verdict").get("failures").toString())
          .contains("6 events got neither a prediction nor a dead letter");
      assertThat(r.out()).contains("missing / duplicates").contains("6 / 6");
    }
  }

  @Test
  void aHealthyRunPassesItsThresholdsAndReportsBatchesLagAndClientConfig(KafkaTestBroker broker) throws Exception {
    Topics t = topics(broker);
    Path clientConfig = reports.resolve("client.properties");
    Files.writeString(clientConfig, "# a real cluster would set security.protocol, sasl.* and ssl.* here\n"
        + "client.dns.lookup=use_all_dns_ips\n");
    try (Responder fast = new Responder(broker, t.input(), t.predictions(), t.deadLetters(), t.group(), Duration.ZERO,
        i -> Behaviour.CLASSIFY)) {
      Result r = run(broker, t, reports.resolve("healthy"), "--client-config", clientConfig.toString(), "--cameras", "4",
          "--fps", "5", "--duration", "4s", "--warmup", "1s", "--slo-p99", "2s", "--min-throughput", "15");
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      JsonNode s = r.report().get("summary");
      assertThat(s.get("sent").asLong()).isEqualTo(80);
      assertThat(s.get("classified").asLong()).isEqualTo(80);
      assertThat(s.get("missing").asLong()).isZero();
      assertThat(s.get("latency").get("count").asLong()).as("events intended after the 1 s warm-up").isBetween(55L, 65L);
      assertThat(r.report().get("batchesBySize").get("1").asLong()).isEqualTo(80);
      assertThat(r.report().get("verdict").get("passed").asBoolean()).isTrue();
      boolean lagSeen = false;
      for (JsonNode interval : r.report().get("timeline")) {
        lagSeen |= !interval.get("consumerLag").isNull();
      }
      assertThat(lagSeen).as("the responder's group commits, so its lag is readable").isTrue();
    }
  }

  @Test
  void aClassifierGroupThatNeverAppearsFailsTheRunWithExitCode3NamingTheGroup(KafkaTestBroker broker) throws Exception {
    Topics t = topics(broker);
    Result r = run(broker, t, reports.resolve("absent"), "--rate", "5", "--duration", "2s", "--await-classifier", "2s");
    assertThat(r.exit()).isEqualTo(LoadTestCommand.EXIT_RUN_FAILED);
    assertThat(r.err()).contains("consumer group " + t.group()).contains("--classifier-group");
    assertThat(r.report()).isNull();
  }

  @Test
  void aMissingClientConfigFileIsAUsageError(KafkaTestBroker broker) throws Exception {
    Topics t = topics(broker);
    Result r = run(broker, t, reports.resolve("bad"), "--client-config", "/nonexistent/client.properties", "--rate", "5");
    assertThat(r.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(r.err()).contains("--client-config /nonexistent/client.properties is not a readable file");
  }
}
