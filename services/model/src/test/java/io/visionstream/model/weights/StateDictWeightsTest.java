package io.visionstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDictWeightsTest {

  @TempDir
  Path dir;

  private Path npz(Map<String, byte[]> entries) throws IOException {
    Path file = dir.resolve("weights.npz");
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  @Test
  void reportsMissingUnknownAndMisShapedParametersTogetherByName() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("fc.weight", NpyArrayTest.npy("<f4", "(3, 2)", NpyArrayTest.floats(1, 2, 3, 4, 5, 6)));
    entries.put("head.extra", NpyArrayTest.npy("<f4", "(1,)", NpyArrayTest.floats(1)));
    entries.put("bn1.num_batches_tracked", NpyArrayTest.npy("<i8", "()", new byte[8]));
    StateDictWeights weights = StateDictWeights.read(npz(entries));
    Map<String, long[]> expected = new LinkedHashMap<>();
    expected.put("fc.weight", new long[] {2, 3});
    expected.put("fc.bias", new long[] {2});

    assertThatThrownBy(() -> weights.check(expected))
        .isInstanceOf(WeightsException.class)
        .hasMessageContaining("weights.npz does not fit the network")
        .hasMessageContaining("1 missing: [fc.bias]")
        .hasMessageContaining("fc.weight has shape [3, 2], expected [2, 3]")
        .hasMessageContaining("1 unknown: [head.extra]")
        .hasMessageNotContaining("num_batches_tracked");
  }

  @Test
  void aHeadWithAnotherClassCountSuggestsTheClassesOption() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("fc.weight", NpyArrayTest.npy("<f4", "(3, 2)", NpyArrayTest.floats(1, 2, 3, 4, 5, 6)));
    entries.put("fc.bias", NpyArrayTest.npy("<f4", "(3,)", NpyArrayTest.floats(1, 2, 3)));
    StateDictWeights weights = StateDictWeights.read(npz(entries));
    Map<String, long[]> expected = new LinkedHashMap<>();
    expected.put("fc.weight", new long[] {1000, 2});
    expected.put("fc.bias", new long[] {1000});

    assertThatThrownBy(() -> weights.check(expected)).hasMessageContaining("fc.weight has shape [3, 2], expected [1000, 2]")
        .hasMessageContaining("Its head has 3 classes and the network 1000: build with --classes 3");
  }

  @Test
  void matchingStateDictPassesAndYieldsItsValues() throws IOException {
    StateDictWeights weights = StateDictWeights.read(npz(Map.of("fc.bias", NpyArrayTest.npy("<f4", "(2,)", NpyArrayTest.floats(0.5f, -1)))));
    weights.check(Map.of("fc.bias", new long[] {2}));
    assertThat(weights.values("fc.bias", new long[] {2})).containsExactly(0.5f, -1f);
    assertThat(weights.origin()).isEqualTo("torchvision state dict weights.npz");
  }

  @Test
  void seededWeightsAreDeterministicPerSeedAndFollowTorchvisionsInitialisation() {
    long[] conv = {64, 3, 7, 7};
    float[] a = new SeededWeights(7).values("conv1.weight", conv);
    assertThat(new SeededWeights(7).values("conv1.weight", conv)).isEqualTo(a);
    assertThat(new SeededWeights(8).values("conv1.weight", conv)).isNotEqualTo(a);
    double variance = 0;
    for (float v : a) {
      variance += v * v;
    }
    variance /= a.length;
    assertThat(variance).isCloseTo(2.0 / (64 * 49), org.assertj.core.data.Percentage.withPercentage(10));
    assertThat(new SeededWeights(7).values("bn1.running_var", new long[] {4})).containsOnly(1f);
    assertThat(new SeededWeights(7).values("bn1.bias", new long[] {4})).containsOnly(0f);
  }
}
