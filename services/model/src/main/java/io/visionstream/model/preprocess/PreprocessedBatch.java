package io.visionstream.model.preprocess;

import java.util.Optional;
import org.tensorflow.types.TFloat32;

/**
 * The result of preprocessing a list of images: a model input tensor [accepted, size, size, 3]
 * holding the accepted images in input order, and for each input either its row in that tensor
 * or why it was rejected. Owns the tensor; close it.
 */
public final class PreprocessedBatch implements AutoCloseable {

  private final TFloat32 tensor;
  private final int accepted;
  private final int[] rows;
  private final ImageRejectedException[] rejections;

  PreprocessedBatch(TFloat32 tensor, int[] rows, ImageRejectedException[] rejections) {
    this.tensor = tensor;
    this.accepted = (int) tensor.shape().get(0);
    this.rows = rows;
    this.rejections = rejections;
  }

  /** Number of inputs, accepted or not. */
  public int inputs() {
    return rows.length;
  }

  /** Number of accepted images (rows of the tensor). */
  public int accepted() {
    return accepted;
  }

  /** The row of input {@code i} in the tensor, or -1 if it was rejected. */
  public int row(int i) {
    return rows[i];
  }

  /** Why input {@code i} was rejected, if it was. */
  public Optional<ImageRejectedException> rejection(int i) {
    return Optional.ofNullable(rejections[i]);
  }

  /** The batch tensor, still owned by this object. */
  public TFloat32 tensor() {
    return tensor;
  }

  @Override
  public void close() {
    tensor.close();
  }
}
