package io.visionstream.model.weights;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * torchvision's initialisation, deterministic for a seed: He-normal convolutions
 * ({@code kaiming_normal_(mode="fan_out", nonlinearity="relu")}), batch norm weight 1, bias 0,
 * running mean 0, running variance 1, a linear weight uniform in ±1/√fan_in (torchvision's
 * default) and a zero linear bias.
 * Each parameter draws from its own stream derived from the seed and its name, so values do not
 * depend on build order.
 */
public final class SeededWeights implements WeightSource {

  private final long seed;

  public SeededWeights(long seed) {
    this.seed = seed;
  }

  @Override
  public float[] values(String name, long[] shape) {
    int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
    float[] out = new float[n];
    SplittableRandom random = new SplittableRandom(seed ^ ((long) name.hashCode() << 21) ^ name.length());
    if (name.endsWith("running_var") || (name.endsWith(".weight") && shape.length == 1)) {
      Arrays.fill(out, 1f);
    } else if (name.endsWith(".bias") || name.endsWith("running_mean")) {
      Arrays.fill(out, 0f);
    } else if (shape.length == 4) {
      double std = Math.sqrt(2.0 / (shape[0] * shape[2] * shape[3]));
      for (int i = 0; i < n; i++) {
        out[i] = (float) (gaussian(random) * std);
      }
    } else {
      double bound = 1.0 / Math.sqrt(shape[1]);
      for (int i = 0; i < n; i++) {
        out[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
    }
    return out;
  }

  @Override
  public String origin() {
    return "seed:" + seed;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
