package io.visionstream.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PillowResamplingTest {

  private static final int ONE = 1 << PillowResampling.PRECISION_BITS;

  @Test
  void sameSizeIsTheIdentity() {
    PillowResampling.Taps taps = PillowResampling.taps(5, 5, 0, 5);
    for (int j = 0; j < 5; j++) {
      assertThat(taps.index()[j * taps.taps()]).isEqualTo(j);
      assertThat(taps.weight()[j * taps.taps()]).isEqualTo(ONE);
    }
  }

  @Test
  void halvingAveragesFourPixelsWithTriangleWeights() {
    // Scale 2, support 2: taps at distances 1.5, 0.5, 0.5, 1.5 half-widths → 1/8, 3/8, 3/8, 1/8.
    PillowResampling.Taps taps = PillowResampling.taps(8, 4, 1, 1);
    assertThat(taps.taps()).isEqualTo(5);
    assertThat(taps.index()).startsWith(1, 2, 3, 4);
    assertThat(taps.weight()).startsWith(ONE / 8, 3 * ONE / 8, 3 * ONE / 8, ONE / 8);
  }

  @Test
  void edgeOutputsUseOnlyPixelsInsideTheImageAndRenormalise() {
    PillowResampling.Taps taps = PillowResampling.taps(8, 4, 0, 1);
    int sum = 0;
    for (int t = 0; t < taps.taps(); t++) {
      assertThat(taps.index()[t]).isBetween(0, 7);
      sum += taps.weight()[t];
    }
    assertThat(sum).isBetween(ONE - 2, ONE + 2);
  }

  @Test
  void everyOutputsWeightsSumToOneInFixedPoint() {
    PillowResampling.Taps taps = PillowResampling.taps(1411, 256, 16, 224);
    for (int j = 0; j < taps.outputs(); j++) {
      int sum = 0;
      for (int t = 0; t < taps.taps(); t++) {
        sum += taps.weight()[j * taps.taps() + t];
      }
      assertThat(sum).as("output %d", j).isBetween(ONE - taps.taps(), ONE + taps.taps());
    }
  }

  @Test
  void refusesOutputsOutsideTheResizedAxis() {
    assertThatThrownBy(() -> PillowResampling.taps(100, 50, 40, 20)).hasMessageContaining("outputs 40..60 of a resize from 100 to 50");
  }
}
