package io.visionstream.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.model.inference.SessionSettings;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FastPreprocessingTest {

  private static ImagePreprocessor exact;
  private static ImagePreprocessor fast;

  @BeforeAll
  static void open() {
    exact = new ImagePreprocessor(Preprocessing.TORCHVISION, PreprocessingMode.EXACT, 4, 10_000_000, SessionSettings.DEFAULT);
    fast = new ImagePreprocessor(Preprocessing.TORCHVISION, PreprocessingMode.FAST, 4, 10_000_000, SessionSettings.DEFAULT);
  }

  @AfterAll
  static void close() {
    exact.close();
    fast.close();
  }

  @Test
  void fastDecodesAtTheLargestDctScaleThatKeepsTheShorterSideAtLeastTheCropSize() {
    Preprocessing p = Preprocessing.TORCHVISION;
    assertThat(PreprocessingMode.FAST.jpegScale(p, 640, 480)).isEqualTo(2); // 320×240
    assertThat(PreprocessingMode.FAST.jpegScale(p, 1280, 720)).isEqualTo(2); // 640×360; 1/4 would be 180 high
    assertThat(PreprocessingMode.FAST.jpegScale(p, 1920, 1080)).isEqualTo(4); // 480×270
    assertThat(PreprocessingMode.FAST.jpegScale(p, 3840, 2160)).isEqualTo(8); // 480×270
    assertThat(PreprocessingMode.FAST.jpegScale(p, 447, 1000)).isEqualTo(2); // 1/2 rounds up to 224: exactly enough
    assertThat(PreprocessingMode.FAST.jpegScale(p, 446, 1000)).isEqualTo(1); // 1/2 would be 223
    assertThat(PreprocessingMode.FAST.jpegScale(p, 320, 240)).isEqualTo(1);
    assertThat(PreprocessingMode.EXACT.jpegScale(p, 3840, 2160)).isEqualTo(1);
    assertThat(PreprocessingMode.FAST.jpegScale(p.withCropSize(28), 640, 480)).isEqualTo(8);
    assertThat(PreprocessingMode.scaled(1081, 2)).isEqualTo(541);
  }

  @Test
  void pngsAndSmallJpegsAreTheSameInBothModes() {
    byte[] png = TestImages.encode(TestImages.scene(1280, 720, 7), "png");
    byte[] small = TestImages.encode(TestImages.scene(320, 240, 8), "jpg");
    try (PreprocessedBatch a = exact.run(List.of(png, small)); PreprocessedBatch b = fast.run(List.of(png, small))) {
      assertThat(values(b)).isEqualTo(values(a));
    }
  }

  @Test
  void aLargeJpegDecodedAtADctScaleGivesNearlyTheExactInputAndTheSameShape() {
    for (int[] size : new int[][] {{640, 480}, {1280, 720}, {1920, 1080}}) {
      byte[] jpeg = TestImages.encode(TestImages.scene(size[0], size[1], size[0]), "jpg");
      try (PreprocessedBatch a = exact.run(List.of(jpeg)); PreprocessedBatch b = fast.run(List.of(jpeg))) {
        assertThat(b.tensor().shape().asArray()).containsExactly(1, 224, 224, 3);
        float[] x = values(a);
        float[] y = values(b);
        double mean = 0;
        for (int i = 0; i < x.length; i++) {
          mean += Math.abs(x[i] - y[i]);
        }
        mean /= x.length;
        // one 8-bit level is about 0.017 after normalisation
        assertThat(mean).as("mean |exact − fast| at %d×%d", size[0], size[1]).isGreaterThan(0).isLessThan(0.1);
      }
    }
  }

  @Test
  void aTruncatedJpegIsRejectedInFastModeToo() {
    byte[] jpeg = TestImages.encode(TestImages.scene(1280, 720, 9), "jpg");
    byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 3);
    try (PreprocessedBatch b = fast.run(List.of(jpeg, truncated))) {
      assertThat(b.accepted()).isEqualTo(1);
      assertThat(b.rejection(1).orElseThrow().reason()).isEqualTo(ImageRejectedException.Reason.UNDECODABLE);
    }
  }

  private static float[] values(PreprocessedBatch batch) {
    float[] values = new float[(int) batch.tensor().size()];
    batch.tensor().asRawTensor().data().asFloats().read(values);
    return values;
  }
}
