package io.visionstream.model.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Parameters held in memory by torchvision name and layout, e.g. a network just trained. */
public final class InMemoryWeights implements WeightSource {

  private final Map<String, float[]> values;
  private final String origin;

  public InMemoryWeights(Map<String, float[]> values, String origin) {
    this.values = Map.copyOf(values);
    this.origin = origin;
  }

  @Override
  public float[] values(String name, long[] shape) {
    float[] v = values.get(name);
    if (v == null) {
      throw new WeightsException(origin + " has no parameter " + name);
    }
    if (v.length != Arrays.stream(shape).reduce(1, Math::multiplyExact)) {
      throw new WeightsException(origin + ": " + name + " has " + v.length + " values, shape " + Arrays.toString(shape) + " needs "
          + Arrays.stream(shape).reduce(1, Math::multiplyExact));
    }
    return v.clone();
  }

  @Override
  public void check(Map<String, long[]> expected) {
    List<String> problems = new ArrayList<>();
    TreeSet<String> missing = new TreeSet<>(expected.keySet());
    missing.removeAll(values.keySet());
    if (!missing.isEmpty()) {
      problems.add("missing " + missing);
    }
    TreeSet<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(expected.keySet());
    if (!unknown.isEmpty()) {
      problems.add("unknown " + unknown);
    }
    if (!problems.isEmpty()) {
      throw new WeightsException(origin + " does not fit the network: " + String.join("; ", problems));
    }
  }

  @Override
  public String origin() {
    return origin;
  }
}
