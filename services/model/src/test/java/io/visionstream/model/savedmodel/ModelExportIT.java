package io.visionstream.model.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.weights.SeededWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class ModelExportIT {

  private static final int SIZE = 64;
  private static final int CLASSES = 10;

  @TempDir
  Path dir;

  static TFloat32 randomBatch(int n, int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n * size * size * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextDouble() * 4 - 2);
    }
    return TFloat32.tensorOf(Shape.of(n, size, size, 3), DataBuffers.of(values, true, false));
  }

  static float[] read(TFloat32 tensor) {
    float[] out = new float[(int) tensor.size()];
    tensor.asRawTensor().data().asFloats().read(out);
    return out;
  }

  @Test
  void exportedModelReloadsWithBitIdenticalLogitsLabelsAndMetadata() throws IOException {
    ModelExporter.Request request = new ModelExporter.Request(ResNetArchitecture.RESNET18, CLASSES, new SeededWeights(3),
        Labels.numbered(CLASSES), "tiny", "seed-3", new ResNetBuilder.Options(SIZE, true),
        Preprocessing.TORCHVISION.withCropSize(SIZE));
    float[] inMemory;
    try (Graph graph = new Graph(); TFloat32 batch = randomBatch(4, SIZE, 1)) {
      ResNetBuilder.Network net = ResNetBuilder.build(Ops.create(graph), ResNetArchitecture.RESNET18, CLASSES,
          new SeededWeights(3), new ResNetBuilder.Options(SIZE, true));
      try (Session session = new Session(graph)) {
        net.initialize(session);
        try (Result result = session.runner().feed(net.images(), batch).fetch(net.logits()).run()) {
          inMemory = read((TFloat32) result.get(0));
        }
      }
    }
    Path model = dir.resolve("tiny");
    ModelExporter.export(request, model);

    assertThat(model.resolve("saved_model.pb")).isRegularFile();
    assertThat(Files.size(model.resolve("saved_model.pb"))).as("weights live in the checkpoint, not the graph").isLessThan(200_000);
    try (ClassifierModel loaded = ClassifierModel.load(model, SessionSettings.DEFAULT, ClassifierModel.Options.NONE);
         TFloat32 batch = randomBatch(4, SIZE, 1)) {
      BatchRunner.Scores scores = new BatchRunner(loaded).run(batch, true);
      float[] reloaded = new float[4 * CLASSES];
      for (int i = 0; i < 4; i++) {
        System.arraycopy(scores.logits()[i], 0, reloaded, i * CLASSES, CLASSES);
      }
      assertThat(reloaded).isEqualTo(inMemory);
      assertThat(loaded.labels()).hasSize(CLASSES).startsWith("class_0");
      assertThat(loaded.metadata().weightsOrigin()).isEqualTo("seed:3");
      assertThat(loaded.metadata().architecture()).isEqualTo("resnet18");
      assertThat(loaded.preprocessing().cropSize()).isEqualTo(SIZE);
      assertThat(loaded.name()).isEqualTo("tiny");
    }
    assertThatThrownBy(() -> ModelExporter.export(request, model)).hasMessageContaining("is not empty");
  }

  @Test
  void kerasStyleSignatureIsFoundWithoutMetadata() throws IOException {
    Path model = dir.resolve("keras");
    KerasStyleModel.export(model, SIZE, CLASSES);
    ClassifierModel.Options caffe = new ClassifierModel.Options(null, null, null, null, Preprocessing.CAFFE, null);
    try (ClassifierModel loaded = ClassifierModel.load(model, SessionSettings.DEFAULT, caffe)) {
      assertThat(loaded.signature().inputKey()).isEqualTo("input_1");
      assertThat(loaded.signature().scoresKey()).isEqualTo("predictions");
      assertThat(loaded.scoresKind()).isEqualTo(ScoresKind.PROBABILITIES);
      assertThat(loaded.signature().logitsTensor()).isNull();
      assertThat(loaded.metadata()).isNull();
      assertThat(loaded.preprocessing().channelOrder()).isEqualTo(Preprocessing.ChannelOrder.BGR);
      assertThat(loaded.preprocessing().cropSize()).isEqualTo(SIZE);
      assertThat(loaded.labels()).hasSize(CLASSES);
    }
  }

  @Test
  void signatureThatIsNotAnImageClassifierIsRejectedNamingWhatDidNotFit() throws IOException {
    Path flat = dir.resolve("flat");
    exportToy(flat, Shape.of(-1, 10), 1);
    assertThatThrownBy(() -> ClassifierModel.load(flat, SessionSettings.DEFAULT, ClassifierModel.Options.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("input 'x' is float [-1, 10]; an image classifier needs float32 [N, height, width, 3]");

    Path twoHeads = dir.resolve("two-heads");
    exportToy(twoHeads, Shape.of(-1, 8, 8, 3), 2);
    assertThatThrownBy(() -> ClassifierModel.load(twoHeads, SessionSettings.DEFAULT, ClassifierModel.Options.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("has outputs [")
        .hasMessageContaining("head_0 (float [-1, 5])")
        .hasMessageContaining("name the class-score output to use");
    ClassifierModel.Options pick = new ClassifierModel.Options(null, null, "head_1", ScoresKind.LOGITS, null, null);
    try (ClassifierModel loaded = ClassifierModel.load(twoHeads, SessionSettings.DEFAULT, pick)) {
      assertThat(loaded.signature().scoresKey()).isEqualTo("head_1");
      assertThat(loaded.signature().classes()).isEqualTo(5);
    }
    assertThatThrownBy(() -> ClassifierModel.load(dir, SessionSettings.DEFAULT, ClassifierModel.Options.NONE))
        .hasMessageContaining("is not a SavedModel directory (no saved_model.pb)");
  }

  /** A SavedModel whose signature maps input {@code x} to {@code heads} outputs of 5 scores. */
  private static void exportToy(Path dir, Shape input, int heads) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(input));
      int features = 1;
      for (int d = 1; d < input.numDimensions(); d++) {
        features *= (int) input.get(d);
      }
      Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, features}));
      Signature.Builder signature = Signature.builder().key("serving_default").input("x", x);
      for (int h = 0; h < heads; h++) {
        Operand<TFloat32> w = tf.variable(tf.withInitScope().zeros(tf.constant(new long[] {features, 5}), TFloat32.class));
        signature.output("head_" + h, tf.linalg.matMul(flat, w));
      }
      try (Session session = new Session(graph)) {
        session.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature.build()).export();
      }
    }
  }
}
