package io.visionstream.model.train;

import io.visionstream.model.weights.StateDictWeights;
import io.visionstream.model.weights.WeightSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A network's weights with a new final layer: every parameter from a state dict except
 * {@code fc.weight} and {@code fc.bias}, which come from {@code head} (e.g. seeded, for another
 * number of classes). The state dict's own head may have any class count.
 */
public final class ReplacedHead implements WeightSource {

  private final StateDictWeights backbone;
  private final WeightSource head;

  public ReplacedHead(StateDictWeights backbone, WeightSource head) {
    this.backbone = backbone;
    this.head = head;
  }

  static boolean isHead(String name) {
    return name.startsWith("fc.");
  }

  @Override
  public float[] values(String name, long[] shape) {
    return isHead(name) ? head.values(name, shape) : backbone.values(name, shape);
  }

  @Override
  public void check(Map<String, long[]> expected) {
    Map<String, long[]> asStored = new LinkedHashMap<>(expected);
    for (String name : expected.keySet()) {
      if (isHead(name)) {
        long[] stored = backbone.shape(name);
        if (stored == null) {
          asStored.remove(name);
        } else {
          asStored.put(name, stored);
        }
      }
    }
    backbone.check(asStored);
  }

  @Override
  public String origin() {
    return backbone.origin() + " with a new head (" + head.origin() + ")";
  }
}
