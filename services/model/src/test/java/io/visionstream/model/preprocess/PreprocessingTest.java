package io.visionstream.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PreprocessingTest {

  @Test
  void landscapeFrameResizesItsShortSideTo256AndCropsTheCentre() {
    // torchvision: int(256 * 640 / 480) = 341; offsets int(round(16.0)) = 16 and int(round(58.5)) = 58 (half to even).
    assertThat(Preprocessing.TORCHVISION.geometry(640, 480)).isEqualTo(new Preprocessing.Geometry(341, 256, 16, 58));
  }

  @Test
  void portraitImageResizesItsWidthAndRoundsHalfToEvenUpward() {
    // int(256 * 535 / 384) = 356; (356 - 224) / 2 = 66; a 343-high resize gives 59.5 → 60.
    assertThat(Preprocessing.TORCHVISION.geometry(384, 535)).isEqualTo(new Preprocessing.Geometry(256, 356, 66, 16));
    assertThat(Preprocessing.TORCHVISION.geometry(256, 343).top()).isEqualTo(60);
  }

  @Test
  void directResizeTakesTheWholeImage() {
    assertThat(Preprocessing.CAFFE.geometry(1000, 300)).isEqualTo(new Preprocessing.Geometry(224, 224, 0, 0));
  }

  @Test
  void smallerInputKeepsTheResizeToCropRatio() {
    Preprocessing small = Preprocessing.TORCHVISION.withCropSize(112);
    assertThat(small.cropSize()).isEqualTo(112);
    assertThat(small.resizeSize()).isEqualTo(128);
  }

  @Test
  void invalidValuesAreRejectedWithTheirValues() {
    assertThatThrownBy(() -> new Preprocessing(Preprocessing.Resize.SHORTER_SIDE_THEN_CENTER_CROP, 200, 224,
        Preprocessing.ChannelOrder.RGB, 255f, new float[3], new float[] {1, 1, 1}))
        .hasMessageContaining("got resize 200, crop 224");
    assertThatThrownBy(() -> new Preprocessing(Preprocessing.Resize.DIRECT, 224, 224, Preprocessing.ChannelOrder.RGB, 1f,
        new float[3], new float[] {1, 0, 1})).hasMessageContaining("std positive");
    assertThatThrownBy(() -> Preprocessing.preset("tf")).hasMessageContaining("unknown preprocessing 'tf'");
  }
}
