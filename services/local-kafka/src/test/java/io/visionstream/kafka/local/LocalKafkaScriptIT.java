package io.visionstream.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone broker as users run it: deploy/local/kafka-broker start, status, stop. */
class LocalKafkaScriptIT {

  private static final Path SCRIPT = Path.of("../../deploy/local/kafka-broker").toAbsolutePath().normalize();

  @TempDir
  Path dataDir;

  @Test
  void startPrintsTheAddressOfABrokerThatServesClientsAndStopEndsIt() throws Exception {
    int port = LocalKafkaBroker.freePort();
    try {
      Result start = run("start", "--data-dir", dataDir.toString(), "--port", Integer.toString(port), "--topic", "image-events:4");
      assertThat(start.exit).as(start.output()).isZero();
      String address = "127.0.0.1:" + port;
      assertThat(start.stdout.strip()).isEqualTo(address);

      Result status = run("status", "--data-dir", dataDir.toString());
      assertThat(status.exit).isZero();
      assertThat(status.stdout).contains("running").contains(address);

      try (Admin admin = Admin.create(Map.of("bootstrap.servers", address))) {
        assertThat(admin.describeTopics(List.of("image-events")).allTopicNames().get().get("image-events").partitions())
            .hasSize(4);
      }
      if (commandExists("kcat")) {
        Result kcat = exec(List.of("kcat", "-b", address, "-L", "-m", "10"));
        assertThat(kcat.exit).as(kcat.output()).isZero();
        assertThat(kcat.stdout).contains("topic \"image-events\" with 4 partitions");
      }
      assertThat(dataDir.resolve("broker.log")).isNotEmptyFile();
    } finally {
      Result stop = run("stop", "--data-dir", dataDir.toString());
      assertThat(stop.exit).as(stop.output()).isZero();
    }
    Result after = run("status", "--data-dir", dataDir.toString());
    assertThat(after.exit).isEqualTo(3);
    assertThat(dataDir.resolve(LocalKafkaCommand.BOOTSTRAP_FILE)).doesNotExist();
  }

  @Test
  void startFailsWithTheBrokersReasonWhenThePortIsTaken() throws Exception {
    try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Result start = run("start", "--data-dir", dataDir.toString(), "--port", Integer.toString(taken.getLocalPort()));
      assertThat(start.exit).isEqualTo(1);
      assertThat(start.stderr).contains("the broker exited during start-up").contains("Address already in use");
    } finally {
      run("stop", "--data-dir", dataDir.toString());
    }
  }

  private record Result(int exit, String stdout, String stderr) {
    String output() {
      return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private static Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(SCRIPT.toString()));
    command.addAll(List.of(args));
    return exec(command);
  }

  private static Result exec(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("script", ".out");
    Path err = Files.createTempFile("script", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("VISIONSTREAM_SKIP_BUILD", "1"); // Maven has just built this module
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within 120 s");
    }
    Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return result;
  }

  private static boolean commandExists(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }
}
