package io.visionstream.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.model.inference.SessionSettings;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {

  private static ImagePreprocessor torchvision;
  private static final long MAX_PIXELS = 4_000_000;

  @BeforeAll
  static void open() {
    torchvision = new ImagePreprocessor(Preprocessing.TORCHVISION, 8, MAX_PIXELS, SessionSettings.DEFAULT);
  }

  @AfterAll
  static void close() {
    torchvision.close();
  }

  @Test
  void acceptedImagesFillRowsInInputOrderAndRejectedOnesSayWhy() {
    byte[] jpeg = TestImages.encode(TestImages.scene(320, 240, 1), "jpg");
    byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
    byte[] bomb = TestImages.pngClaiming(100_000, 100_000);
    byte[] gif = TestImages.encode(TestImages.scene(20, 20, 2), "gif");
    byte[] png = TestImages.encode(TestImages.scene(200, 300, 3), "png");

    try (PreprocessedBatch batch = torchvision.run(List.of(jpeg, truncated, bomb, gif, png))) {
      assertThat(batch.inputs()).isEqualTo(5);
      assertThat(batch.accepted()).isEqualTo(2);
      assertThat(batch.tensor().shape().asArray()).containsExactly(2, 224, 224, 3);
      assertThat(batch.row(0)).isZero();
      assertThat(batch.row(4)).isEqualTo(1);
      assertThat(batch.rejection(1).orElseThrow().reason()).isEqualTo(ImageRejectedException.Reason.UNDECODABLE);
      assertThat(batch.rejection(1).orElseThrow()).hasMessageContaining("cannot decode jpeg image");
      assertThat(batch.rejection(2).orElseThrow().reason()).isEqualTo(ImageRejectedException.Reason.TOO_MANY_PIXELS);
      assertThat(batch.rejection(2).orElseThrow()).hasMessageContaining("100000×100000 = 10000000000 pixels, more than the limit of 4000000");
      assertThat(batch.rejection(3).orElseThrow().reason()).isEqualTo(ImageRejectedException.Reason.UNSUPPORTED_FORMAT);
      assertThat(batch.rejection(3).orElseThrow()).hasMessageContaining("not a JPEG or PNG image").hasMessageContaining("47 49 46 38");
      assertThat(batch.rejection(0)).isEmpty();
    }
  }

  @Test
  void imageDecodesToTheSameRowAloneAsInABatch() {
    byte[] a = TestImages.encode(TestImages.scene(640, 480, 4), "jpg");
    byte[] b = TestImages.encode(TestImages.scene(480, 640, 5), "png");
    float[] alone = pixels(torchvision.run(List.of(b)), 0);
    float[] inBatch = pixels(torchvision.run(List.of(a, b)), 1);
    assertThat(inBatch).isEqualTo(alone);
  }

  @Test
  void solidColourBecomesTorchvisionsNormalisedValuesEverywhere() {
    byte[] red = TestImages.encode(TestImages.solid(300, 200, new Color(255, 0, 0)), "png");
    float[] values = pixels(torchvision.run(List.of(red)), 0);
    float r = (float) ((255f / 255f - 0.485f) / 0.229f);
    float g = (float) ((0f / 255f - 0.456f) / 0.224f);
    assertThat(values).hasSize(224 * 224 * 3);
    assertThat(values[0]).isEqualTo(r);
    assertThat(values[1]).isEqualTo(g);
    assertThat(values[values.length - 3]).isEqualTo(r);
  }

  @Test
  void caffePreprocessingIsBgrWithMeanSubtracted() {
    try (ImagePreprocessor caffe = new ImagePreprocessor(Preprocessing.CAFFE, 2, MAX_PIXELS, SessionSettings.DEFAULT)) {
      byte[] red = TestImages.encode(TestImages.solid(64, 48, new Color(255, 0, 0)), "png");
      float[] values = pixels(caffe.run(List.of(red)), 0);
      assertThat(Arrays.copyOf(values, 3)).containsExactly(0 - 103.939f, 0 - 116.779f, 255 - 123.68f);
    }
  }

  @Test
  void grayscalePngBecomesThreeEqualChannels() {
    BufferedImage gray = new BufferedImage(256, 256, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(10, 10, 0, 200);
    float[] values = pixels(torchvision.run(List.of(TestImages.encode(gray, "png"))), 0);
    for (int i = 0; i < values.length; i += 3) {
      assertThat((values[i] * 0.229f + 0.485f)).isCloseTo(values[i + 1] * 0.224f + 0.456f, org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  private static float[] pixels(PreprocessedBatch batch, int row) {
    try (batch) {
      float[] all = new float[(int) batch.tensor().size()];
      batch.tensor().asRawTensor().data().asFloats().read(all);
      int per = 224 * 224 * 3;
      return Arrays.copyOfRange(all, row * per, (row + 1) * per);
    }
  }
}
