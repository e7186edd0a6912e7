package io.visionstream.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.model.preprocess.TestImages;
import io.visionstream.model.savedmodel.KerasStyleModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The visionstream-model command line on a small seeded ResNet-18 (10 classes, 64×64 input). */
class ModelCommandIT {

  @TempDir
  static Path dir;
  static Path model;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = ModelCommand.run(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  @BeforeAll
  static void build() {
    model = dir.resolve("resnet18-tiny");
    Run build = run("build", "--arch", "resnet18", "--seed", "5", "--classes", "10", "--input-size", "64", "--out", model.toString());
    assertThat(build.exit()).as(build.err()).isZero();
    assertThat(build.out()).contains("exported resnet18 seed-5 (resnet18, 10 classes, weights seed:5)");
  }

  @Test
  void inspectDescribesTheServingSignatureAndDevices() {
    Run inspect = run("inspect", "--model", model.toString());
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("image input 'images' 64×64, scores 'probabilities' (PROBABILITIES, 10 classes), logits available")
        .contains("\"weightsOrigin\" : \"seed:5\"").contains("devices: [CPU ");
  }

  @Test
  void inspectHandlesAKerasStyleSignature() throws Exception {
    Path keras = dir.resolve("keras-style");
    KerasStyleModel.export(keras, 64, 10);
    Run inspect = run("inspect", "--model", keras.toString(), "--preprocessing", "caffe");
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("input  input_1: DT_FLOAT [-1, 64, 64, 3]")
        .contains("image input 'input_1' 64×64, scores 'predictions' (PROBABILITIES, 10 classes)")
        .contains("preprocessing: DIRECT 64 BGR").contains("metadata: none (not exported by visionstream)");
    Run plain = run("inspect", "--model", keras.toString());
    assertThat(plain.exit()).as("without options the signature is still found").isZero();
    assertThat(plain.out()).contains("preprocessing: SHORTER_SIDE_THEN_CENTER_CROP 73→64 RGB");
  }

  @Test
  void classifyPrintsTopClassesPerImageAndWhyOthersWereRejected() throws Exception {
    Path jpeg = Files.write(dir.resolve("frame.jpg"), TestImages.encode(TestImages.scene(320, 240, 7), "jpg"));
    Path png = Files.write(dir.resolve("upload.png"), TestImages.encode(TestImages.scene(100, 150, 8), "png"));
    Path bomb = Files.write(dir.resolve("bomb.png"), TestImages.pngClaiming(60_000, 60_000));
    Path text = Files.writeString(dir.resolve("notes.jpg"), "not an image");

    Path missing = dir.resolve("gone.jpg");

    Run classify = run("classify", "--model", model.toString(), "--top", "3", "--logits", jpeg.toString(), png.toString(),
        bomb.toString(), text.toString(), missing.toString());

    assertThat(classify.exit()).as("some images were rejected or missing").isEqualTo(1);
    List<JsonNode> lines = classify.out().lines().map(ModelCommandIT::json).toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0).get("file").asText()).isEqualTo(jpeg.toString());
    assertThat(lines.get(0).get("top")).hasSize(3);
    assertThat(lines.get(0).get("top").get(0).get("label").asText()).startsWith("class_");
    assertThat(lines.get(0).get("logits")).hasSize(10);
    assertThat(lines.get(1).get("top")).hasSize(3);
    assertThat(lines.get(2).get("rejected").get("reason").asText()).isEqualTo("TOO_MANY_PIXELS");
    assertThat(lines.get(3).get("rejected").get("reason").asText()).isEqualTo("UNSUPPORTED_FORMAT");
    assertThat(lines.get(4).get("file").asText()).isEqualTo(missing.toString());
    assertThat(lines.get(4).get("error").asText()).isEqualTo("cannot read " + missing + ": no such file");
    // ranked by logits: the top classes are the three largest logits, best first
    JsonNode logits = lines.get(0).get("logits");
    List<Integer> byLogit = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, 10).boxed().toList());
    byLogit.sort((a, b) -> Double.compare(logits.get(b).asDouble(), logits.get(a).asDouble()));
    assertThat(lines.get(0).get("top")).extracting(t -> t.get("index").asInt()).containsExactlyElementsOf(byLogit.subList(0, 3));
  }

  @Test
  void buildRefusesAnExistingModelAndAmbiguousWeights() {
    Run again = run("build", "--arch", "resnet18", "--seed", "5", "--classes", "10", "--input-size", "64", "--out", model.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("is not empty");
    Run both = run("build", "--seed", "1", "--weights", "x.npz", "--out", dir.resolve("x").toString());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
    Run missing = run("build", "--weights", dir.resolve("absent.npz").toString(), "--out", dir.resolve("y").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("absent.npz");
  }

  @Test
  void benchAndSoakRunAndReport() {
    Run bench = run("bench", "--model", model.toString(), "--batch-sizes", "1,2", "--precisions", "fp32", "--warmup", "0",
        "--repeats", "1", "--images-per-repeat", "2", "--no-roofline");
    assertThat(bench.exit()).as(bench.err()).isZero();
    assertThat(bench.out()).contains("fp32  batch   1:").contains("fp32  batch   2:").contains("best: fp32");
    Run soak = run("soak", "--model", model.toString(), "--loads", "2", "--batches", "5", "--warmup-batches", "2",
        "--batch-size", "2", "--tolerance", "10");
    assertThat(soak.exit()).as(soak.err()).isZero();
    assertThat(soak.out()).contains("RSS baseline").contains("after 2 load/run/close cycles").contains("after 5 batches");
  }

  private static JsonNode json(String line) {
    try {
      return new ObjectMapper().readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line + " " + Arrays.toString(e.getStackTrace()), e);
    }
  }
}
