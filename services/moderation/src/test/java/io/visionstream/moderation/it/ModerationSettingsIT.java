package io.visionstream.moderation.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged moderation service refuses what it cannot understand before it starts anything
 * (no broker is needed to show it): exit code 2 and every problem named; and it answers --help.
 */
class ModerationSettingsIT {

  private static final Path LOGS = Path.of("target", "it-logs", "moderation-settings");

  private static Result run(Map<String, String> properties, Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(ServiceProcess.command("visionstream.it.moderation-target",
        "io.visionstream.moderation.ModerationApplication", properties));
    command.addAll(List.of(args));
    Files.createDirectories(LOGS);
    Path log = LOGS.resolve("run-" + System.nanoTime() + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ends by itself").isTrue();
    return new Result(process.exitValue(), Files.readString(log));
  }

  record Result(int exit, String output) {}

  @Test
  void unparseableValuesAndUnknownKeysStopStartUpWithExitTwoNamingEach() throws Exception {
    Result result = run(Map.of("visionstream.streams.processing-guarantee", "exactly-once",
        "visionstream.tagging.min-score", "high", "visionstream.tagging.retention", "forever",
        "visionstream.moderation.polices", "my-policies"), Map.of("VISIONSTREAM_TAGGING_WINDOWS_SERVED", "ten"));
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.output()).contains("visionstream moderation service: invalid configuration (5 problems), nothing started")
        .contains("visionstream.streams.processing-guarantee = exactly-once (system property)\n"
            + "    allowed: exactly_once_v2, at_least_once")
        .contains("visionstream.tagging.min-score = high").contains("allowed: a number")
        .contains("visionstream.tagging.retention = forever").contains("a duration")
        .contains("visionstream.tagging.windows-served = ten (environment variable VISIONSTREAM_TAGGING_WINDOWS_SERVED)")
        .contains("did you mean visionstream.moderation.policies?")
        .doesNotContain("\tat ");
  }

  @Test
  void aQueryTokenFileThatCannotBeReadOrIsTooShortStopsStartUpWithExitTwo() throws Exception {
    Result missing = run(Map.of("visionstream.tagging.query-token-file", LOGS.resolve("no-such-token").toString()), Map.of());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.output()).contains("visionstream.tagging.query-token-file = ").contains("no-such-token: cannot read it")
        .doesNotContain("\tat ");
    Path shortToken = LOGS.resolve("short-token");
    Files.writeString(shortToken, "abc123\n");
    Result tooShort = run(Map.of("visionstream.tagging.query-token-file", shortToken.toString()), Map.of());
    assertThat(tooShort.exit()).isEqualTo(2);
    assertThat(tooShort.output()).contains("allowed: a token of at least 16 characters without spaces (the file holds 6 "
        + "characters)").doesNotContain("abc123");
  }

  @Test
  void helpAndUnknownOptionsAnswerAtOnce() throws Exception {
    long start = System.nanoTime();
    Result help = run(Map.of(), Map.of(), "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.output()).startsWith("Usage: deploy/local/moderation [--help]");
    Result bogus = run(Map.of(), Map.of(), "--bogus");
    assertThat(bogus.exit()).isEqualTo(2);
    assertThat(bogus.output()).startsWith("unknown option: --bogus");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("both, in seconds").isLessThan(10);
  }
}
