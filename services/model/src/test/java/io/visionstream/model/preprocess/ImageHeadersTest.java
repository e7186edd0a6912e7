package io.visionstream.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageHeadersTest {

  private static long coefficientBytes(byte[] image) throws ImageRejectedException {
    return ImageHeaders.coefficientBytes(image, 0, image.length, ImageHeaders.read(image));
  }

  @Test
  void aBaselineJpegAndAPngHoldNoCoefficientBuffers() throws Exception {
    byte[] jpeg = TestImages.encode(TestImages.scene(640, 480, 1), "jpg");
    assertThat(ImageHeaders.read(jpeg)).isEqualTo(new ImageHeaders.Header("jpeg", 640, 480));
    assertThat(coefficientBytes(jpeg)).isZero();
    byte[] png = TestImages.encode(TestImages.scene(64, 48, 2), "png");
    assertThat(ImageHeaders.read(png)).isEqualTo(new ImageHeaders.Header("png", 64, 48));
    assertThat(coefficientBytes(png)).isZero();
  }

  @Test
  void aProgressiveJpegHoldsEveryBlockOfEachComponentAtFullSizeWhateverItsScale() throws Exception {
    // 4:2:0: luma 80×60 blocks, each chroma 40×30; 64 coefficients of 2 bytes per block
    assertThat(coefficientBytes(TestImages.progressiveJpeg(TestImages.scene(640, 480, 3))))
        .isEqualTo((80 * 60 + 2 * 40 * 30) * 128L);
    // luma 126×42 blocks rounded up to whole 2×2 MCUs: 126×42; chroma ceil(1001/16)=63 × ceil(333/16)=21
    assertThat(coefficientBytes(TestImages.progressiveJpeg(TestImages.scene(1001, 333, 4))))
        .isEqualTo((126 * 42 + 2 * 63 * 21) * 128L);
  }

  @Test
  void theFrameHeadersSamplingFactorsGiveTheBlocks() {
    // SOI, then an SOF2 for 100×50 with three components sampled 1×1 (4:4:4)
    byte[] sof444 = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC2, 0, 17, 8, 0, 50, 0, 100, 3,
        1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1};
    ImageHeaders.Header header = new ImageHeaders.Header("jpeg", 100, 50);
    assertThat(ImageHeaders.coefficientBytes(sof444, 0, sof444.length, header)).isEqualTo(3 * 13 * 7 * 128L);
    byte[] sof0 = sof444.clone();
    sof0[3] = (byte) 0xC0;
    assertThat(ImageHeaders.coefficientBytes(sof0, 0, sof0.length, header)).isZero();
    byte[] noFrame = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA, 0, 2};
    assertThat(ImageHeaders.coefficientBytes(noFrame, 0, noFrame.length, header)).as("the most three components can take")
        .isEqualTo(3 * 13 * 7 * 128L);
  }

  @Test
  void decodedPixelsFollowTheScaleEachModeDecodesAt() {
    Preprocessing p = Preprocessing.TORCHVISION;
    ImageHeaders.Header hd = new ImageHeaders.Header("jpeg", 1920, 1080);
    assertThat(PreprocessingMode.EXACT.decodedPixels(p, hd)).isEqualTo(1920L * 1080);
    assertThat(PreprocessingMode.FAST.decodedPixels(p, hd)).isEqualTo(480L * 270);
    assertThat(PreprocessingMode.FAST.decodedPixels(p, new ImageHeaders.Header("jpeg", 1081, 1081))).isEqualTo(271L * 271);
    assertThat(PreprocessingMode.FAST.decodedPixels(p, new ImageHeaders.Header("png", 1920, 1080))).isEqualTo(1920L * 1080);
  }
}
