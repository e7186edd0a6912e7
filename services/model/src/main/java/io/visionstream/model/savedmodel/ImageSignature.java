package io.visionstream.model.savedmodel;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tensorflow.Signature;
import org.tensorflow.Signature.TensorDescription;
import org.tensorflow.proto.DataType;

/**
 * The image input and score output of an image-classification signature: a float32 batch
 * [N, H, W, 3] in and a float32 [N, classes] out. Names come from options or metadata; without
 * them the single input is the image input and the output is {@code probabilities},
 * {@code predictions} or the only rank-2 output.
 *
 * @param inputKey signature name of the image input
 * @param inputTensor graph tensor to feed ({@code op:index})
 * @param scoresKey signature name of the score output
 * @param scoresTensor graph tensor to fetch
 * @param logitsTensor graph tensor of logits, or {@code null} if the signature has none
 */
public record ImageSignature(String signatureKey, String inputKey, String inputTensor, int height, int width,
    String scoresKey, String scoresTensor, int classes, String logitsTensor) {

  private static final List<String> SCORE_NAMES = List.of("probabilities", "predictions", "probs", "scores");

  /**
   * @param inputName signature input to use, or {@code null} to find it
   * @param scoresName signature output to use, or {@code null} to find it
   * @throws ModelLoadException naming what did not fit
   */
  static ImageSignature resolve(List<Signature> signatures, String key, String inputName, String scoresName) {
    Signature signature = select(signatures, key);
    String where = "signature '" + signature.key() + "'";
    Map<String, TensorDescription> inputs = signature.getInputs();
    String inputKey = inputName != null ? inputName : onlyOrImage(inputs, where);
    TensorDescription input = inputs.get(inputKey);
    if (input == null) {
      throw new ModelLoadException(where + " has no input '" + inputKey + "'; its inputs are " + describe(inputs));
    }
    long[] in = dims(input);
    if (input.dataType != DataType.DT_FLOAT || in.length != 4 || in[3] != 3) {
      throw new ModelLoadException(where + " input '" + inputKey + "' is " + describe(input)
          + "; an image classifier needs float32 [N, height, width, 3] (NHWC RGB or BGR)");
    }
    Map<String, TensorDescription> outputs = signature.getOutputs();
    String scoresKey = scoresName != null ? scoresName : scoresOutput(outputs, where);
    TensorDescription scores = outputs.get(scoresKey);
    if (scores == null) {
      throw new ModelLoadException(where + " has no output '" + scoresKey + "'; its outputs are " + describe(outputs));
    }
    long[] out = dims(scores);
    if (scores.dataType != DataType.DT_FLOAT || out.length != 2 || out[1] <= 0) {
      throw new ModelLoadException(where + " output '" + scoresKey + "' is " + describe(scores)
          + "; class scores must be float32 [N, classes] with a known class count");
    }
    TensorDescription logits = outputs.get("logits");
    return new ImageSignature(signature.key(), inputKey, input.name, (int) in[1], (int) in[2], scoresKey, scores.name,
        (int) out[1], logits == null || scoresKey.equals("logits") ? null : logits.name);
  }

  private static Signature select(List<Signature> signatures, String key) {
    String wanted = key != null ? key : Signature.DEFAULT_KEY;
    for (Signature s : signatures) {
      if (s.key().equals(wanted)) {
        return s;
      }
    }
    if (key == null && signatures.size() == 1) {
      return signatures.get(0);
    }
    throw new ModelLoadException("the SavedModel has no signature '" + wanted + "'; it has "
        + signatures.stream().map(Signature::key).toList());
  }

  private static String onlyOrImage(Map<String, TensorDescription> inputs, String where) {
    if (inputs.size() == 1) {
      return inputs.keySet().iterator().next();
    }
    List<String> images = inputs.entrySet().stream().filter(e -> dims(e.getValue()).length == 4).map(Map.Entry::getKey).toList();
    if (images.size() == 1) {
      return images.get(0);
    }
    throw new ModelLoadException(where + " has inputs " + describe(inputs) + "; name the image input to use");
  }

  private static String scoresOutput(Map<String, TensorDescription> outputs, String where) {
    for (String name : SCORE_NAMES) {
      if (outputs.containsKey(name)) {
        return name;
      }
    }
    List<String> rank2 = outputs.entrySet().stream().filter(e -> dims(e.getValue()).length == 2).map(Map.Entry::getKey).toList();
    if (rank2.size() == 1) {
      return rank2.get(0);
    }
    throw new ModelLoadException(where + " has outputs " + describe(outputs) + "; name the class-score output to use");
  }

  private static long[] dims(TensorDescription t) {
    return t.shape.isUnknown() ? new long[0] : t.shape.asArray();
  }

  private static String describe(TensorDescription t) {
    return t.dataType.name().replace("DT_", "").toLowerCase(java.util.Locale.ROOT) + " " + t.shape;
  }

  private static String describe(Map<String, TensorDescription> tensors) {
    return tensors.entrySet().stream().map(e -> e.getKey() + " (" + describe(e.getValue()) + ")")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
