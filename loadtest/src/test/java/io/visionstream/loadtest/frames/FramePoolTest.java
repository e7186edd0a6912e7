package io.visionstream.loadtest.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FramePoolTest {

  @Test
  void everyFrameIsARealJpegOfItsResolutionAndContentVaries(@TempDir Path photos) throws Exception {
    BufferedImage photo = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 300; y++) {
      for (int x = 0; x < 400; x++) {
        photo.setRGB(x, y, (x * 255 / 400) << 16 | (y * 255 / 300) << 8 | 90);
      }
    }
    ImageIO.write(photo, "png", photos.resolve("gradient.png").toFile());
    ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), "png", photos.resolve("tiny-mask.png").toFile());
    ResolutionMix mix = ResolutionMix.parse("160x120,320x180");
    FramePool pool = FramePool.build(mix, 7, 0.8f, photos, 3);
    Set<FramePool.Kind> kinds = new HashSet<>();
    for (Resolution r : mix.resolutions()) {
      assertThat(pool.frames(r)).hasSize(7);
      Set<Integer> distinct = new HashSet<>();
      for (FramePool.Frame f : pool.frames(r)) {
        assertThat(f.image()[0] & 0xFF).isEqualTo(0xFF);
        assertThat(f.image()[1] & 0xFF).isEqualTo(0xD8);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(f.image()));
        assertThat(decoded.getWidth()).isEqualTo(r.width());
        assertThat(decoded.getHeight()).isEqualTo(r.height());
        distinct.add(Arrays.hashCode(f.image()));
        kinds.add(f.kind());
      }
      assertThat(distinct).hasSizeGreaterThanOrEqualTo(6);
    }
    assertThat(kinds).containsExactlyInAnyOrder(FramePool.Kind.SCENE, FramePool.Kind.NOISE, FramePool.Kind.PHOTO);
    assertThat(pool.frame(new Resolution(160, 120), 7)).isSameAs(pool.frames(new Resolution(160, 120)).get(0));
  }

  @Test
  void aPhotoDirectoryWithoutUsablePhotosIsRejected(@TempDir Path empty) throws Exception {
    Files.writeString(empty.resolve("notes.txt"), "not a photo");
    assertThatThrownBy(() -> FramePool.build(ResolutionMix.parse("64x48"), 2, 0.8f, empty, 1))
        .hasMessageContaining("holds no colour PNG or JPEG");
    assertThatThrownBy(() -> FramePool.build(ResolutionMix.parse("64x48"), 2, 1.5f, null, 1))
        .hasMessageContaining("JPEG quality must be in (0, 1]");
  }

  @Test
  void datasetFramesArePngsOfTheImagesThemselves() throws Exception {
    byte[] pixels = new byte[3 * 28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 31);
    }
    io.visionstream.model.train.LabelledImages images = new io.visionstream.model.train.LabelledImages("three", 3, 28, 28,
        pixels, new int[] {0, 1, 0}, java.util.List.of("a", "b"));
    FramePool pool = FramePool.dataset(images, 2);
    Resolution r = new Resolution(28, 28);
    assertThat(pool.frames(r)).hasSize(2);
    for (int k = 0; k < 2; k++) {
      FramePool.Frame f = pool.frame(r, k);
      assertThat(f.kind()).isEqualTo(FramePool.Kind.FASHION_MNIST);
      assertThat(f.contentType()).isEqualTo(io.visionstream.schemas.ContentType.PNG);
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(f.image()));
      assertThat(decoded.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          assertThat(decoded.getRaster().getSample(x, y, 0)).isEqualTo(images.pixel(k, y, x));
        }
      }
    }
  }
}
