package io.visionstream.loadtest.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResolutionMixTest {

  @Test
  void camerasAreSharedByWeight() {
    ResolutionMix mix = ResolutionMix.parse("640x480=2,1280x720=1,1920x1080=1");
    Map<Resolution, Integer> cameras = new HashMap<>();
    for (int c = 0; c < 8; c++) {
      cameras.merge(mix.forCamera(c, 8), 1, Integer::sum);
    }
    assertThat(cameras).containsEntry(new Resolution(640, 480), 4).containsEntry(new Resolution(1280, 720), 2)
        .containsEntry(new Resolution(1920, 1080), 2);
  }

  @Test
  void aSizeWithoutWeightCountsOnceAndRepeatsAddUp() {
    ResolutionMix mix = ResolutionMix.parse("320x240, 640X480=3, 320x240");
    assertThat(mix.weights()).containsEntry(new Resolution(320, 240), 2.0).containsEntry(new Resolution(640, 480), 3.0);
    assertThat(mix.resolutions()).containsExactly(new Resolution(320, 240), new Resolution(640, 480));
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> ResolutionMix.parse("640by480")).hasMessageContaining("'640by480' is not a resolution");
    assertThatThrownBy(() -> ResolutionMix.parse("640x480=zero")).hasMessageContaining("weight 'zero' of 640x480");
    assertThatThrownBy(() -> ResolutionMix.parse("640x480=-1")).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> ResolutionMix.parse(" , ")).hasMessageContaining("names no resolution");
    assertThatThrownBy(() -> ResolutionMix.parse("0x480")).hasMessageContaining("out of range");
  }
}
