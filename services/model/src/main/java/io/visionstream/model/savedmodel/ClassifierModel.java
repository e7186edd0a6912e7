package io.visionstream.model.savedmodel;

import io.visionstream.model.inference.Devices;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * An image-classification SavedModel loaded once for serving: ours, or any SavedModel whose
 * signature takes an image batch and returns class scores (e.g. a Keras {@code ResNet50} export).
 * The {@link Session} is thread-safe and shared; {@link #close()} frees the native model and must
 * come after every run has finished.
 */
public final class ClassifierModel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClassifierModel.class);

  /**
   * Choices for models without visionstream metadata, or to override it; {@code null} fields keep
   * the metadata's (or the default) value.
   */
  public record Options(String signature, String input, String scores, ScoresKind scoresKind,
      Preprocessing preprocessing, Path labels) {
    public static final Options NONE = new Options(null, null, null, null, null, null);
  }

  private final SavedModelBundle bundle;
  private final Path dir;
  private final ImageSignature signature;
  private final ScoresKind scoresKind;
  private final Preprocessing preprocessing;
  private final List<String> labels;
  private final ModelMetadata metadata;
  private final List<Devices.Device> devices;

  private ClassifierModel(SavedModelBundle bundle, Path dir, ImageSignature signature, ScoresKind scoresKind,
      Preprocessing preprocessing, List<String> labels, ModelMetadata metadata, List<Devices.Device> devices) {
    this.bundle = bundle;
    this.dir = dir;
    this.signature = signature;
    this.scoresKind = scoresKind;
    this.preprocessing = preprocessing;
    this.labels = labels;
    this.metadata = metadata;
    this.devices = devices;
  }

  /**
   * Loads the SavedModel in {@code dir} (tag {@code serve}) and checks that it classifies images.
   *
   * @throws ModelLoadException naming what is missing or does not fit
   */
  public static ClassifierModel load(Path dir, SessionSettings settings, Options options) {
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new ModelLoadException(dir + " is not a SavedModel directory (no saved_model.pb)");
    }
    ModelMetadata metadata;
    try {
      metadata = ModelMetadata.read(dir);
    } catch (IOException e) {
      throw new ModelLoadException(e.getMessage(), e);
    }
    List<Devices.Device> devices = Devices.list(settings.toConfigProto());
    log.info("TensorFlow devices: {}", devices);
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG)
          .withConfigProto(settings.toConfigProto()).load();
    } catch (TensorFlowException | TFInvalidArgumentException e) {
      throw new ModelLoadException("cannot load the SavedModel in " + dir + ": " + e.getMessage(), e);
    }
    try {
      ImageSignature signature = ImageSignature.resolve(bundle.signatures(),
          first(options.signature(), metadata == null ? null : metadata.signature()),
          first(options.input(), metadata == null ? null : metadata.input()),
          first(options.scores(), metadata == null ? null : metadata.scores()));
      ScoresKind kind = first(options.scoresKind(), metadata == null ? null : metadata.scoresKind());
      if (kind == null) {
        kind = signature.scoresKey().toLowerCase(java.util.Locale.ROOT).contains("logit") ? ScoresKind.LOGITS : ScoresKind.PROBABILITIES;
      }
      Preprocessing preprocessing = preprocessing(signature, options, metadata, dir);
      List<String> labels = labels(dir, options, metadata, signature.classes());
      ClassifierModel model = new ClassifierModel(bundle, dir, signature, kind, preprocessing, labels, metadata, devices);
      log.info("Loaded {} from {}: {} → {} ({} classes, {})", model.name(), dir, signature.inputKey(), signature.scoresKey(),
          signature.classes(), kind);
      return model;
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /**
   * The metadata's preprocessing, which must fit the input; else the option's or torchvision's,
   * sized to the input.
   */
  private static Preprocessing preprocessing(ImageSignature signature, Options options, ModelMetadata metadata, Path dir) {
    boolean fromMetadata = options.preprocessing() == null && metadata != null && metadata.preprocessing() != null;
    Preprocessing preprocessing = fromMetadata ? metadata.preprocessing()
        : options.preprocessing() != null ? options.preprocessing() : Preprocessing.TORCHVISION;
    if (signature.height() > 0 && signature.height() != signature.width()) {
      throw new ModelLoadException("input '" + signature.inputKey() + "' takes " + signature.height() + "×" + signature.width()
          + " images; visionstream preprocesses to square inputs");
    }
    if (signature.height() > 0 && signature.height() != preprocessing.cropSize()) {
      if (fromMetadata) {
        throw new ModelLoadException(dir.resolve(ModelMetadata.FILE) + " preprocesses to " + preprocessing.cropSize() + "×"
            + preprocessing.cropSize() + " but input '" + signature.inputKey() + "' takes " + signature.height() + "×"
            + signature.width());
      }
      preprocessing = preprocessing.withCropSize(signature.height());
    }
    return preprocessing;
  }

  private static List<String> labels(Path dir, Options options, ModelMetadata metadata, int classes) {
    Path file = options.labels() != null ? options.labels()
        : dir.resolve(metadata != null && metadata.labelsFile() != null ? metadata.labelsFile() : Labels.FILE);
    List<String> labels;
    try {
      labels = Files.exists(file) ? Labels.read(file) : Labels.defaultFor(classes);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read labels " + file + ": " + e.getMessage(), e);
    }
    if (labels.size() != classes) {
      throw new ModelLoadException(file + " has " + labels.size() + " labels but the model scores " + classes + " classes");
    }
    return labels;
  }

  private static <T> T first(T preferred, T fallback) {
    return preferred != null ? preferred : fallback;
  }

  /** The shared, thread-safe session. */
  public Session session() {
    return bundle.session();
  }

  public ImageSignature signature() {
    return signature;
  }

  public ScoresKind scoresKind() {
    return scoresKind;
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  public List<String> labels() {
    return labels;
  }

  /** visionstream metadata, or {@code null} for a model exported elsewhere. */
  public ModelMetadata metadata() {
    return metadata;
  }

  public List<Devices.Device> devices() {
    return devices;
  }

  public String name() {
    return metadata != null ? metadata.name() : dir.getFileName().toString();
  }

  public String version() {
    return metadata != null ? metadata.version() : "unversioned";
  }

  public SavedModelBundle bundle() {
    return bundle;
  }

  @Override
  public void close() {
    bundle.close();
  }
}
