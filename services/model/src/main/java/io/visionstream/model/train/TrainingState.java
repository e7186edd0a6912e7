package io.visionstream.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Progress of a run after a completed epoch, written as {@value #FILE} in each checkpoint.
 *
 * @param epoch epochs completed
 * @param step optimizer steps taken
 * @param weightsOrigin where the initial weights came from
 * @param history one entry per completed epoch
 */
public record TrainingState(int formatVersion, TrainingConfig config, String dataset, String weightsOrigin, int epoch, long step,
    List<Epoch> history) {

  public static final String FILE = "trainer.json";
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * @param trainLoss mean cross-entropy over the epoch's batches (augmented, training-mode batch norm)
   * @param trainAccuracy top-1 accuracy on those batches
   * @param testAccuracy top-1 accuracy on the test set (inference mode), or −1 without one
   * @param learningRate at the epoch's last step
   * @param seconds wall time of the epoch's training steps
   */
  public record Epoch(int epoch, long step, double trainLoss, double trainAccuracy, double testAccuracy, double learningRate,
      double seconds, double imagesPerSecond) {}

  public void write(Path dir) throws IOException {
    Path tmp = dir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static TrainingState read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /** Reads a state from {@code in}; {@code where} names its origin in errors. */
  public static TrainingState read(InputStream in, String where) throws IOException {
    TrainingState state;
    try {
      state = JSON.readValue(in, TrainingState.class);
    } catch (IOException e) {
      throw new IOException(where + " is not a visionstream training checkpoint: " + e.getMessage(), e);
    }
    if (state.formatVersion() != FORMAT_VERSION) {
      throw new IOException(where + " has format version " + state.formatVersion() + "; this build reads " + FORMAT_VERSION);
    }
    return state;
  }
}
