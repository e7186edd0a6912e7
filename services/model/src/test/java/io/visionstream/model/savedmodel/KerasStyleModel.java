package io.visionstream.model.savedmodel;

import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.weights.SeededWeights;
import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

/**
 * A SavedModel shaped like a Keras {@code ResNet50} export: signature input {@code input_1},
 * softmax output {@code predictions}, no logits, no visionstream metadata or labels.
 */
public final class KerasStyleModel {

  private KerasStyleModel() {}

  /** A seeded ResNet-18 with {@code classes} outputs on {@code size}² inputs. */
  public static void export(Path dir, int size, int classes) throws IOException {
    try (Graph graph = new Graph()) {
      ResNetBuilder.Network net = ResNetBuilder.build(Ops.create(graph), ResNetArchitecture.RESNET18, classes,
          new SeededWeights(4), new ResNetBuilder.Options(size, true));
      try (Session session = new Session(graph)) {
        net.initialize(session);
        Signature signature = Signature.builder().key("serving_default").input("input_1", net.images())
            .output("predictions", net.probabilities()).build();
        SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature).export();
      }
    }
  }
}
