package io.visionstream.model.savedmodel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.visionstream.model.preprocess.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What visionstream writes beside a SavedModel ({@value #FILE}): what the model is, which
 * signature tensors to use, how to preprocess images for it and where its weights came from.
 * Models from elsewhere (e.g. a Keras export) need none; the loader then takes defaults and options.
 *
 * @param formatVersion version of this file's layout, {@value #FORMAT_VERSION}
 * @param name model name, e.g. {@code resnet50}
 * @param version model version, e.g. {@code seed-20161} or a training run id
 * @param architecture e.g. {@code resnet50}
 * @param classes number of classes (scores per image)
 * @param signature signature key to serve
 * @param input signature input holding the image batch
 * @param scores signature output holding per-class scores
 * @param scoresKind whether {@code scores} are probabilities or logits
 * @param logits signature output holding logits, or {@code null}
 * @param preprocessing how images become the input
 * @param weightsOrigin where the weights came from (seed, file name)
 * @param labelsFile class names file beside the model, one per line in class-index order
 * @param createdAt ISO-8601 instant of export
 * @param stem {@code imagenet} or {@code cifar} ({@code null} in files written before it was recorded: imagenet)
 * @param width channels of stage 1 ({@code null} in files written before it was recorded: 64)
 */
public record ModelMetadata(int formatVersion, String name, String version, String architecture, int classes,
    String signature, String input, String scores, ScoresKind scoresKind, String logits, Preprocessing preprocessing,
    String weightsOrigin, String labelsFile, String createdAt, String stem, Integer width) {

  public static final String FILE = "visionstream-model.json";
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public void write(Path modelDir) throws IOException {
    JSON.writeValue(modelDir.resolve(FILE).toFile(), this);
  }

  /** The metadata beside a SavedModel, or {@code null} if it has none. */
  public static ModelMetadata read(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    ModelMetadata metadata;
    try {
      metadata = JSON.readValue(file.toFile(), ModelMetadata.class);
    } catch (IOException e) {
      throw new IOException(file + " is not valid visionstream model metadata: " + e.getMessage(), e);
    }
    if (metadata.formatVersion() != FORMAT_VERSION) {
      throw new IOException(file + " has format version " + metadata.formatVersion() + "; this build reads version "
          + FORMAT_VERSION);
    }
    return metadata;
  }
}
