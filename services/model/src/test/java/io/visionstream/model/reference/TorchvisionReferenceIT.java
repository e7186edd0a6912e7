package io.visionstream.model.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.visionstream.model.cli.ModelCommand;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.Labels;
import io.visionstream.model.weights.NpyArray;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Our ResNets against torchvision's (Debian's python3-torchvision): the same seeded weights with
 * non-trivial batch-norm statistics, ten real photographs from python3-skimage, torchvision's eval
 * transform. Checks (1) our preprocessing reproduces torchvision's input tensors, (2) our model fed
 * torchvision's tensors gives its logits within 1e-4 of the largest logit, (3) end to end through
 * our decode/resize within 1e-2, (4) the same top-1 class for every photograph. Writes the figures
 * to target/torchvision-reference.txt. Skipped without python3-torchvision / python3-skimage.
 */
class TorchvisionReferenceIT {

  private static final String PYTHON = "/usr/bin/python3";
  private static final Path SKIMAGE_DATA = Path.of("/usr/lib/python3/dist-packages/skimage/data");
  private static final List<String> PHOTOS = List.of("astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png",
      "rocket.jpg", "hubble_deep_field.jpg", "retina.jpg", "camera.png", "coins.png", "ihc.png");
  private static final Path REPORT = Path.of("target/torchvision-reference.txt");

  @TempDir
  static Path work;

  @BeforeAll
  static void runTorchvision() throws Exception {
    assumeThat(python("-c", "import torch, torchvision, PIL, numpy").exit).as("python3-torchvision is installed").isZero();
    assumeThat(SKIMAGE_DATA.resolve("chelsea.png")).as("python3-skimage photographs").exists();
    List<String> args = new ArrayList<>(List.of("src/test/python/torchvision_reference.py", "--out", work.toString(),
        "--arch", "resnet18", "--arch", "resnet50"));
    PHOTOS.forEach(p -> args.add(SKIMAGE_DATA.resolve(p).toString()));
    Exec reference = python(args.toArray(String[]::new));
    assertThat(reference.exit).as(reference.err).isZero();
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, "torchvision reference, " + PHOTOS.size() + " photographs from skimage/data\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet18", "resnet50"})
  void javaResNetEqualsTorchvision(String arch) throws Exception {
    Path model = work.resolve(arch + "-savedmodel");
    int exit = ModelCommand.run("build", "--arch", arch, "--weights", work.resolve(arch + ".npz").toString(), "--out", model.toString());
    assertThat(exit).isZero();
    NpyArray inputs = npy("inputs.npy");
    float[] expected = npy(arch + "-logits.npy").toFloats(arch);
    float[] torchInputs = inputs.toFloats("inputs");

    try (ClassifierModel classifier = ClassifierModel.load(model, SessionSettings.DEFAULT, ClassifierModel.Options.NONE)) {
      BatchRunner runner = new BatchRunner(classifier);
      float[] direct;
      try (TFloat32 batch = TFloat32.tensorOf(Shape.of(inputs.shape()), DataBuffers.of(torchInputs, true, false))) {
        direct = flatten(runner.run(batch, true).logits());
      }
      float[] ours;
      float[] endToEnd;
      try (ImagePreprocessor preprocessor = new ImagePreprocessor(classifier.preprocessing(), PHOTOS.size(), 50_000_000,
          SessionSettings.DEFAULT)) {
        List<byte[]> images = new ArrayList<>();
        for (String photo : PHOTOS) {
          images.add(Files.readAllBytes(SKIMAGE_DATA.resolve(photo)));
        }
        try (PreprocessedBatch batch = preprocessor.run(images)) {
          assertThat(batch.accepted()).isEqualTo(PHOTOS.size());
          ours = new float[(int) batch.tensor().size()];
          batch.tensor().asRawTensor().data().asFloats().read(ours);
          endToEnd = flatten(runner.run(batch.tensor(), true).logits());
        }
      }
      long differingInputs = countDifferent(ours, torchInputs);
      double maxLogit = maxAbs(expected);
      double directError = maxAbsDifference(direct, expected) / maxLogit;
      double endToEndError = maxAbsDifference(endToEnd, expected) / maxLogit;
      int agreeDirect = topOneAgreements(direct, expected);
      int agreeEndToEnd = topOneAgreements(endToEnd, expected);
      String line = String.format("%s: max|Δlogit|/max|logit| = %.3g fed torchvision's tensors, %.3g end to end "
          + "(preprocessed inputs differing from torchvision's: %d of %d values); top-1 agrees on %d/%d and %d/%d photographs%n",
          arch, directError, endToEndError, differingInputs, ours.length, agreeDirect, PHOTOS.size(), agreeEndToEnd, PHOTOS.size());
      System.out.print(line);
      Files.writeString(REPORT, line, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

      assertThat(differingInputs).as("our preprocessing reproduces torchvision's eval transform bit for bit").isZero();
      assertThat(directError).isLessThanOrEqualTo(1e-4);
      assertThat(endToEndError).isLessThanOrEqualTo(1e-2);
      assertThat(agreeDirect).isEqualTo(PHOTOS.size());
      assertThat(agreeEndToEnd).isEqualTo(PHOTOS.size());
    }
  }

  @Test
  void bundledLabelsAreTorchvisionsImageNetClasses() throws Exception {
    Exec labels = python("src/test/python/imagenet_labels.py");
    assertThat(labels.exit).as(labels.err).isZero();
    assertThat(Labels.imagenet()).containsExactlyElementsOf(labels.out.lines().toList());
  }

  private static NpyArray npy(String name) throws IOException {
    return NpyArray.parse(Files.readAllBytes(work.resolve(name)), name);
  }

  private static float[] flatten(float[][] rows) {
    int classes = rows[0].length;
    float[] out = new float[rows.length * classes];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * classes, classes);
    }
    return out;
  }

  private static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  private static double maxAbsDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static long countDifferent(float[] a, float[] b) {
    long n = 0;
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
        n++;
      }
    }
    return n;
  }

  private static int topOneAgreements(float[] a, float[] b) {
    int classes = 1000;
    int agree = 0;
    for (int row = 0; row < a.length / classes; row++) {
      agree += argmax(a, row * classes, classes) == argmax(b, row * classes, classes) ? 1 : 0;
    }
    return agree;
  }

  private static int argmax(float[] values, int from, int n) {
    int best = from;
    for (int i = from; i < from + n; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best - from;
  }

  record Exec(int exit, String out, String err) {}

  static Exec python(String... args) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return new Exec(127, "", PYTHON + " not found");
    }
    List<String> command = new ArrayList<>(List.of(PYTHON));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("python", ".out");
    Path err = Files.createTempFile("python", ".err");
    try {
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish within 300 s");
      }
      return new Exec(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }
}
