package io.visionstream.model.weights;

/**
 * Parameter values for a network, by torchvision parameter name (e.g. {@code layer1.0.conv1.weight})
 * in torchvision's layout (convolutions OIHW, linear weights [out, in]). The builder converts
 * layouts; a source only checks names and shapes.
 */
public interface WeightSource {

  /**
   * The values of {@code name}, which must have {@code shape}.
   *
   * @throws WeightsException if the source has no such parameter or it has another shape
   */
  float[] values(String name, long[] shape);

  /** Batch-norm statistics tracked by torchvision but not used at inference (accepted, ignored). */
  static boolean isIgnoredBuffer(String name) {
    return name.endsWith(".num_batches_tracked");
  }

  /**
   * Checks the source against every parameter a network needs (torchvision name → shape) before
   * anything is built, reporting all missing, unknown and mis-shaped parameters at once.
   *
   * @throws WeightsException naming them
   */
  default void check(java.util.Map<String, long[]> expected) {}

  /** Where the weights came from, for the model metadata (e.g. {@code seed:42}, a file name). */
  String origin();
}
