package io.visionstream.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.ImageSignature;
import java.util.concurrent.Callable;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Prints a SavedModel's signatures, the image input and score output chosen, preprocessing, labels, metadata and devices.")
final class InspectCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  SessionOptions session;

  @Override
  public Integer call() throws Exception {
    try (ClassifierModel classifier = ClassifierModel.load(model.dir, session.settings(), model.options())) {
      System.out.println("SavedModel " + model.dir + " (TensorFlow " + TensorFlow.version() + ")");
      for (Signature signature : classifier.bundle().signatures()) {
        System.out.println("signature '" + signature.key() + "' (" + signature.methodName() + ")");
        signature.getInputs().forEach((name, t) -> System.out.println("  input  " + name + ": " + t.dataType + " " + t.shape + " ← " + t.name));
        signature.getOutputs().forEach((name, t) -> System.out.println("  output " + name + ": " + t.dataType + " " + t.shape + " → " + t.name));
      }
      ImageSignature io = classifier.signature();
      System.out.println("serving: signature '" + io.signatureKey() + "', image input '" + io.inputKey() + "' "
          + io.height() + "×" + io.width() + ", scores '" + io.scoresKey() + "' (" + classifier.scoresKind() + ", "
          + io.classes() + " classes)" + (io.logitsTensor() != null ? ", logits available" : ""));
      System.out.println("preprocessing: " + classifier.preprocessing());
      System.out.println("labels: " + classifier.labels().size() + " (" + String.join(", ", classifier.labels().subList(0,
          Math.min(3, classifier.labels().size()))) + ", ...)");
      System.out.println("metadata: " + (classifier.metadata() == null ? "none (not exported by visionstream)"
          : new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(classifier.metadata())));
      System.out.println("devices: " + classifier.devices());
    }
    return 0;
  }
}
