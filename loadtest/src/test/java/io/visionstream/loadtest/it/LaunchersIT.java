package io.visionstream.loadtest.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every launcher in deploy/local, as a user runs it: {@code --help} answers with exit 0 in under 5
 * seconds (without a broker), and an unknown option prints the usage with exit 2. Run by Maven
 * after every module is packaged, so the launchers skip their own build step here.
 */
class LaunchersIT {

  private static final Path LAUNCHERS = Path.of("..", "deploy", "local").toAbsolutePath().normalize();

  record Run(int exit, String output, Duration took) {}

  private static Run run(String launcher, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHERS.resolve(launcher).toString()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile("launcher-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("VISIONSTREAM_SKIP_BUILD", "1"); // Maven has just built every module
    long start = System.nanoTime();
    Process process = builder.start();
    boolean ended = process.waitFor(60, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (!ended) {
      process.destroyForcibly();
    }
    assertThat(ended).as(launcher + " " + String.join(" ", args) + " ended").isTrue();
    return new Run(process.exitValue(), Files.readString(log), took);
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "classifier", "moderation", "kafka-broker", "loadtest", "visionstream-model", "bench-pipeline"})
  void helpAnswersAtOnceAndAnUnknownOptionIsAUsageError(String launcher) throws Exception {
    Run help = run(launcher, "--help");
    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output()).containsIgnoringCase("usage");
    assertThat(help.took()).as("--help of " + launcher).isLessThan(Duration.ofSeconds(5));

    Run bogus = run(launcher, "--no-such-option");
    assertThat(bogus.exit()).as(bogus.output()).isEqualTo(2);
    assertThat(bogus.output()).containsIgnoringCase("usage");
  }
}
