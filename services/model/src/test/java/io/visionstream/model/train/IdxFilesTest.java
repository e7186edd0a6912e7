package io.visionstream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {

  private static byte[] images(int magic, int n, int h, int w, int dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(16 + dataBytes);
    b.putInt(magic).putInt(n).putInt(h).putInt(w);
    for (int i = 0; i < dataBytes; i++) {
      b.put((byte) (i * 7));
    }
    return b.array();
  }

  private static byte[] labels(int n, int... values) {
    ByteBuffer b = ByteBuffer.allocate(8 + values.length);
    b.putInt(0x801).putInt(n);
    for (int v : values) {
      b.put((byte) v);
    }
    return b.array();
  }

  @Test
  void readsImagesAndLabels(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("i"), images(0x803, 2, 2, 3, 12));
    Files.write(dir.resolve("l"), labels(2, 1, 0));
    LabelledImages read = IdxFiles.read("tiny", dir.resolve("i"), dir.resolve("l"), List.of("a", "b"));
    assertThat(read.count()).isEqualTo(2);
    assertThat(read.labels()).containsExactly(1, 0);
    assertThat(read.pixel(1, 1, 2)).isEqualTo((11 * 7) & 0xff);
  }

  @Test
  void namesTheFileAndWhatIsWrong(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("i"), images(0x803, 2, 2, 3, 10));
    Files.write(dir.resolve("l"), labels(2, 1, 0));
    assertThatThrownBy(() -> IdxFiles.read("tiny", dir.resolve("i"), dir.resolve("l"), List.of("a", "b")))
        .hasMessageContaining(dir.resolve("i").toString()).hasMessageContaining("truncated");

    Files.write(dir.resolve("i"), images(0x801, 2, 2, 3, 12));
    assertThatThrownBy(() -> IdxFiles.read("tiny", dir.resolve("i"), dir.resolve("l"), List.of("a", "b")))
        .hasMessageContaining("magic 0x801");

    Files.write(dir.resolve("i"), images(0x803, 2, 2, 3, 12));
    Files.write(dir.resolve("l"), labels(2, 1, 5));
    assertThatThrownBy(() -> IdxFiles.read("tiny", dir.resolve("i"), dir.resolve("l"), List.of("a", "b")))
        .hasMessageContaining("image 1 has label 5");

    Files.write(dir.resolve("l"), labels(3, 1, 0, 1));
    assertThatThrownBy(() -> IdxFiles.read("tiny", dir.resolve("i"), dir.resolve("l"), List.of("a", "b")))
        .hasMessageContaining("3 labels but").hasMessageContaining("2 images");
  }

  @Test
  void missingDatasetSaysHowToInstallIt(@TempDir Path dir) {
    assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TEST)).hasMessageContaining("no t10k-images-idx3-ubyte");
  }
}
