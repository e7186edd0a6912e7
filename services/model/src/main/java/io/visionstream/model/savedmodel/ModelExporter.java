package io.visionstream.model.savedmodel;

import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.weights.WeightSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

/**
 * Builds a ResNet and exports it as a SavedModel whose {@code serving_default} signature takes
 * {@code images} float32 [N, size, size, 3] (preprocessed RGB) and returns {@code logits} and
 * {@code probabilities} [N, classes], with {@value Labels#FILE} and {@value ModelMetadata#FILE}
 * beside it.
 */
public final class ModelExporter {

  /** Signature tensor names of models visionstream builds. */
  public static final String INPUT = "images";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";

  /**
   * @param labels class names, as many as {@code classes}
   * @param preprocessing stored in the metadata; its crop size must be the builder's input size
   */
  public record Request(ResNetArchitecture architecture, int classes, WeightSource weights, List<String> labels,
      String name, String version, ResNetBuilder.Options options, Preprocessing preprocessing) {

    public Request {
      if (labels.size() != classes) {
        throw new IllegalArgumentException(labels.size() + " labels for " + classes + " classes");
      }
      if (preprocessing.cropSize() != options.inputSize()) {
        throw new IllegalArgumentException("preprocessing crops to " + preprocessing.cropSize() + " but the network input is "
            + options.inputSize());
      }
    }
  }

  private ModelExporter() {}

  /**
   * Exports into {@code dir}, which must be absent or empty.
   *
   * @return the metadata written
   */
  public static ModelMetadata export(Request request, Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException(dir + " is not empty; export a model into a new directory");
        }
      }
    }
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ResNetBuilder.Network net = ResNetBuilder.build(tf, request.architecture(), request.classes(), request.weights(),
          request.options());
      try (Session session = new Session(graph)) {
        net.initialize(session);
        Signature signature = Signature.builder().key(Signature.DEFAULT_KEY).methodName("tensorflow/serving/predict")
            .input(INPUT, net.images()).output(LOGITS, net.logits()).output(PROBABILITIES, net.probabilities()).build();
        SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature).export();
      }
    }
    Labels.write(dir.resolve(Labels.FILE), request.labels());
    ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT_VERSION, request.name(), request.version(),
        request.architecture().torchvisionName(), request.classes(), Signature.DEFAULT_KEY, INPUT, PROBABILITIES,
        ScoresKind.PROBABILITIES, LOGITS, request.preprocessing(), request.weights().origin(), Labels.FILE,
        Instant.now().toString(), request.options().stem().name().toLowerCase(java.util.Locale.ROOT), request.options().width());
    metadata.write(dir);
    return metadata;
  }
}
