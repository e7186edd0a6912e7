package io.visionstream.model.train;

import io.visionstream.model.preprocess.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Zalando's Fashion-MNIST (60,000 training and 10,000 test images, 28×28 grayscale, 10 classes), as
 * Debian's {@code dataset-fashion-mnist} package installs it.
 */
public final class FashionMnist {

  /** Where Debian's package puts the IDX files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Class names in label order, as the dataset's README gives them. */
  public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
      "Shirt", "Sneaker", "Bag", "Ankle boot");

  public static final int SIZE = 28;

  /**
   * Input normalisation of models trained here: the training set's pixel mean 0.2860 and standard
   * deviation 0.3530 (of values in 0..1), the same for the three channels the gray image is copied
   * into. The images are not resized, so the classifier serves 28×28 images exactly as trained.
   */
  public static final Preprocessing PREPROCESSING = new Preprocessing(Preprocessing.Resize.DIRECT, SIZE, SIZE,
      Preprocessing.ChannelOrder.RGB, 255f, new float[] {0.2860f, 0.2860f, 0.2860f}, new float[] {0.3530f, 0.3530f, 0.3530f});

  public enum Split {
    TRAIN("train"), TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }
  }

  private FashionMnist() {}

  /** The event id visionstream gives image {@code index} of a split when streaming it, e.g. {@code fashion-mnist-test-00042}. */
  public static String eventId(Split split, int index) {
    return String.format("fashion-mnist-%s-%05d", split.name().toLowerCase(java.util.Locale.ROOT), index);
  }

  public static LabelledImages load(Path dir, Split split) throws IOException {
    Path images = file(dir, split.prefix + "-images-idx3-ubyte");
    Path labels = file(dir, split.prefix + "-labels-idx1-ubyte");
    return IdxFiles.read("fashion-mnist " + split.name().toLowerCase(java.util.Locale.ROOT), images, labels, CLASSES);
  }

  private static Path file(Path dir, String base) throws IOException {
    for (String name : List.of(base + ".gz", base)) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return dir.resolve(name);
      }
    }
    throw new IOException("no " + base + "[.gz] in " + dir + (dir.equals(DEBIAN_DIR)
        ? "; install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist)" : ""));
  }
}
