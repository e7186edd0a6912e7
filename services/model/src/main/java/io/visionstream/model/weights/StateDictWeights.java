package io.visionstream.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A torchvision {@code state_dict} saved with {@code np.savez}: one {@code .npy} entry per
 * parameter, named as torchvision names it. Every parameter the network needs must be present
 * with torchvision's shape, and every entry must be one the network needs (or a
 * {@code num_batches_tracked} counter); {@link #check} reports everything else by name.
 */
public final class StateDictWeights implements WeightSource {

  private final Path file;
  private final Map<String, NpyArray> arrays;

  private StateDictWeights(Path file, Map<String, NpyArray> arrays) {
    this.file = file;
    this.arrays = arrays;
  }

  /** Reads every array of {@code file} (a {@code .npz}, compressed or not). */
  public static StateDictWeights read(Path file) {
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        String name = entry.getName();
        if (!name.endsWith(".npy")) {
          throw new WeightsException(file + ": entry " + name + " is not a .npy array");
        }
        String key = name.substring(0, name.length() - 4);
        try (InputStream in = zip.getInputStream(entry)) {
          arrays.put(key, NpyArray.parse(in.readAllBytes(), file.getFileName() + ":" + key));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read weights " + file + ": " + e.getMessage(), e);
    }
    return new StateDictWeights(file, arrays);
  }

  @Override
  public float[] values(String name, long[] shape) {
    NpyArray array = arrays.get(name);
    if (array == null) {
      throw new WeightsException(file.getFileName() + " has no parameter " + name + " (expected shape "
          + Arrays.toString(shape) + ")");
    }
    if (!Arrays.equals(array.shape(), shape)) {
      throw new WeightsException(file.getFileName() + ": " + name + " has shape " + Arrays.toString(array.shape())
          + ", the network needs " + Arrays.toString(shape));
    }
    try {
      return array.toFloats(file.getFileName() + ":" + name);
    } catch (IOException e) {
      throw new WeightsException(e.getMessage(), e);
    }
  }

  /** The shape stored for {@code name}, or {@code null} if the file has no such entry. */
  public long[] shape(String name) {
    NpyArray array = arrays.get(name);
    return array == null ? null : array.shape();
  }

  @Override
  public void check(Map<String, long[]> expected) {
    List<String> problems = new ArrayList<>();
    Set<String> missing = new TreeSet<>(expected.keySet());
    missing.removeAll(arrays.keySet());
    if (!missing.isEmpty()) {
      problems.add(missing.size() + " missing: " + abbreviate(List.copyOf(missing)));
    }
    Set<String> unknown = new TreeSet<>();
    for (Map.Entry<String, NpyArray> entry : arrays.entrySet()) {
      long[] shape = expected.get(entry.getKey());
      if (shape == null) {
        if (!WeightSource.isIgnoredBuffer(entry.getKey())) {
          unknown.add(entry.getKey());
        }
      } else if (!Arrays.equals(shape, entry.getValue().shape())) {
        problems.add(entry.getKey() + " has shape " + Arrays.toString(entry.getValue().shape()) + ", expected "
            + Arrays.toString(shape));
      }
    }
    if (!unknown.isEmpty()) {
      problems.add(unknown.size() + " unknown: " + abbreviate(List.copyOf(unknown)));
    }
    if (!problems.isEmpty()) {
      throw new WeightsException(file.getFileName() + " does not fit the network (" + String.join("; ", problems)
          + "). " + headHint(expected));
    }
  }

  /**
   * What to change when the file's head ({@code fc.weight}, [classes, features]) has another class
   * count than the network: {@code --classes N}; otherwise the generic question.
   */
  private String headHint(Map<String, long[]> expected) {
    long[] stored = shape("fc.weight");
    long[] wanted = expected.get("fc.weight");
    if (stored != null && wanted != null && stored.length == 2 && wanted.length == 2 && stored[1] == wanted[1]
        && stored[0] != wanted[0]) {
      return "Its head has " + stored[0] + " classes and the network " + wanted[0] + ": build with --classes " + stored[0]
          + " (and --labels with " + stored[0] + " lines), or fine-tune a new head.";
    }
    return "Is it a state dict of this architecture and class count?";
  }

  @Override
  public String origin() {
    return "torchvision state dict " + file.getFileName();
  }

  private static String abbreviate(List<String> names) {
    return names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
  }
}
