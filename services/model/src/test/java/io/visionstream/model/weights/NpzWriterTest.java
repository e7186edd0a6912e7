package io.visionstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzWriterTest {

  @Test
  void float32ArraysRoundTripExactly(@TempDir Path dir) throws Exception {
    Map<String, float[]> arrays = new LinkedHashMap<>();
    arrays.put("conv1.weight", new float[] {1.5f, -0.0f, Float.MIN_VALUE, 3.4e38f, 0.1f, -7f});
    arrays.put("fc.bias", new float[] {0.25f, Float.NaN});
    Map<String, long[]> shapes = Map.of("conv1.weight", new long[] {1, 2, 3, 1}, "fc.bias", new long[] {2});
    Path file = dir.resolve("w.npz");
    NpzWriter.write(file, arrays, shapes, false);
    StateDictWeights read = StateDictWeights.read(file);
    assertThat(read.shape("conv1.weight")).containsExactly(1, 2, 3, 1);
    assertThat(read.values("conv1.weight", new long[] {1, 2, 3, 1})).containsExactly(arrays.get("conv1.weight"));
    assertThat(read.values("fc.bias", new long[] {2})).containsExactly(arrays.get("fc.bias"));
  }

  @Test
  void float16RoundsToNearestEven() {
    assertThat(NpzWriter.floatToHalf(1f)).isEqualTo((short) 0x3C00);
    assertThat(NpzWriter.floatToHalf(-2f)).isEqualTo((short) 0xC000);
    assertThat(NpzWriter.floatToHalf(65504f)).isEqualTo((short) 0x7BFF);
    assertThat(NpzWriter.floatToHalf(65520f)).isEqualTo((short) 0x7C00); // rounds up to infinity, as numpy does
    assertThat(NpzWriter.floatToHalf(0.1f)).isEqualTo((short) 0x2E66);
    assertThat(NpzWriter.floatToHalf(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
    assertThat(NpzWriter.floatToHalf(0x1p-25f)).isEqualTo((short) 0x0000); // halfway to zero: even
    assertThat(NpzWriter.floatToHalf(0x1.8p-25f)).isEqualTo((short) 0x0001);
    assertThat(NpzWriter.floatToHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3C00); // halfway: even
    assertThat(NpzWriter.floatToHalf(1f + 0x3p-11f)).isEqualTo((short) 0x3C02);
    assertThat(NpzWriter.floatToHalf(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
    assertThat(Float.isNaN(NpyArray.halfToFloat(NpzWriter.floatToHalf(Float.NaN)))).isTrue();
    // Every half value survives half → float → half.
    for (int h = 0; h < 0x10000; h++) {
      if (((h >>> 10) & 0x1F) != 0x1F) {
        assertThat(NpzWriter.floatToHalf(NpyArray.halfToFloat((short) h))).isEqualTo((short) h);
      }
    }
  }

  @Test
  void float16FilesReadBackAsTheRoundedValues(@TempDir Path dir) throws Exception {
    float[] values = {0.1f, 1234.567f, -3e-6f};
    Path file = dir.resolve("h.npz");
    NpzWriter.write(file, Map.of("x", values), Map.of("x", new long[] {3}), true);
    float[] read = StateDictWeights.read(file).values("x", new long[] {3});
    for (int i = 0; i < values.length; i++) {
      assertThat(read[i]).isEqualTo(NpyArray.halfToFloat(NpzWriter.floatToHalf(values[i])));
    }
  }

  @Test
  void refusesValuesThatDoNotFitTheirShape(@TempDir Path dir) {
    assertThatThrownBy(() -> NpzWriter.write(dir.resolve("bad.npz"), Map.of("x", new float[5]), Map.of("x", new long[] {2, 2}),
        false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x").hasMessageContaining("[2, 2]");
  }
}
