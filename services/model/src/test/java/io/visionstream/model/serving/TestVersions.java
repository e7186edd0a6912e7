package io.visionstream.model.serving;

import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.savedmodel.Labels;
import io.visionstream.model.savedmodel.ModelExporter;
import io.visionstream.model.weights.SeededWeights;
import io.visionstream.model.weights.WeightSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Model versions for tests: seeded ResNet-18s with 10 classes on 64×64 inputs, exported beside
 * the versions directory and moved into place, as a deployment should add them.
 */
public final class TestVersions {

  public static final int SIZE = 64;
  public static final int CLASSES = 10;

  private TestVersions() {}

  /** A valid version {@code version} under {@code versions}, with weights from {@code seed}. */
  public static Path add(Path versions, long version, long seed) {
    return add(versions, version, new SeededWeights(seed), CLASSES, SIZE);
  }

  /** A version that loads and fits but scores NaN: its classifier weights are NaN. */
  public static Path addNaN(Path versions, long version) {
    SeededWeights seeded = new SeededWeights(1);
    WeightSource nan = new WeightSource() {
      @Override
      public float[] values(String name, long[] shape) {
        float[] values = seeded.values(name, shape);
        if (name.equals("fc.weight")) {
          Arrays.fill(values, Float.NaN);
        }
        return values;
      }

      @Override
      public String origin() {
        return "nan";
      }
    };
    return add(versions, version, nan, CLASSES, SIZE);
  }

  /** A valid model of another shape: {@code classes} classes on {@code size}×{@code size} inputs. */
  public static Path add(Path versions, long version, WeightSource weights, int classes, int size) {
    try {
      Files.createDirectories(versions);
      Path staging = Files.createTempDirectory(versions.getParent(), ".staging-").resolve("model");
      ModelExporter.export(new ModelExporter.Request(ResNetArchitecture.RESNET18, classes, weights, Labels.numbered(classes),
          "resnet18-tiny", weights.origin(), new ResNetBuilder.Options(size, true), Preprocessing.TORCHVISION.withCropSize(size)),
          staging);
      Path target = versions.resolve(Long.toString(version));
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of the model in {@code source} as version {@code to} of {@code versions}, moved into place. */
  public static Path copyFrom(Path source, Path versions, long to) {
    try {
      Files.createDirectories(versions);
      Path staging = Files.createTempDirectory(versions.getParent(), ".staging-");
      try (var files = Files.walk(source)) {
        for (Path file : files.toList()) {
          Files.copy(file, staging.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Path target = versions.resolve(Long.toString(to));
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes version {@code version} (a rollback). */
  public static void remove(Path versions, long version) {
    Path dir = versions.resolve(Long.toString(version));
    try (var files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
