package io.visionstream.loadtest.frames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which share of the cameras sends which frame size, e.g. {@code 640x480=2,1280x720=1,1920x1080=1}
 * (weights; a size without a weight counts 1). Cameras are assigned deterministically so the
 * shares hold as closely as the camera count allows.
 */
public record ResolutionMix(Map<Resolution, Double> weights) {

  public ResolutionMix {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("the resolution mix is empty");
    }
    weights = Map.copyOf(new LinkedHashMap<>(weights));
  }

  public static ResolutionMix parse(String text) {
    Map<Resolution, Double> weights = new LinkedHashMap<>();
    for (String item : text.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      String[] kv = item.split("=", 2);
      double weight = 1;
      if (kv.length == 2) {
        try {
          weight = Double.parseDouble(kv[1].strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("weight '" + kv[1] + "' of " + kv[0] + " is not a number");
        }
        if (!(weight > 0)) {
          throw new IllegalArgumentException("weight of " + kv[0] + " must be positive, got " + kv[1]);
        }
      }
      weights.merge(Resolution.parse(kv[0]), weight, Double::sum);
    }
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' names no resolution");
    }
    return new ResolutionMix(weights);
  }

  /** Resolutions in ascending pixel count. */
  public List<Resolution> resolutions() {
    List<Resolution> list = new ArrayList<>(weights.keySet());
    list.sort((a, b) -> Long.compare((long) a.width() * a.height(), (long) b.width() * b.height()));
    return list;
  }

  /** The resolution of camera {@code index} of {@code cameras}. */
  public Resolution forCamera(int index, int cameras) {
    double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    double position = (index + 0.5) / cameras * total;
    double cumulative = 0;
    List<Resolution> list = resolutions();
    for (Resolution r : list) {
      cumulative += weights.get(r);
      if (position < cumulative) {
        return r;
      }
    }
    return list.get(list.size() - 1);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Resolution r : resolutions()) {
      s.append(s.length() == 0 ? "" : ",").append(r).append('=').append(weights.get(r));
    }
    return s.toString();
  }
}
