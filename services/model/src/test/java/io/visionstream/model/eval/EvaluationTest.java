package io.visionstream.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

  /** cat: 3 right, 1 called dog; dog: 2 right; bird: 1 called cat, none right. */
  private static Evaluation sample() {
    Evaluation e = new Evaluation(List.of("cat", "dog", "bird"));
    e.add(0, 0);
    e.add(0, 0);
    e.add(0, 0);
    e.add(0, 1);
    e.add(1, 1);
    e.add(1, 1);
    e.add(2, 0);
    return e;
  }

  @Test
  void accuracyPrecisionAndRecallFollowFromTheConfusionMatrix() {
    Evaluation e = sample();
    assertThat(e.total()).isEqualTo(7);
    assertThat(e.correct()).isEqualTo(5);
    assertThat(e.accuracy()).isCloseTo(5 / 7.0, within(1e-12));
    assertThat(e.precision(0)).isCloseTo(3 / 4.0, within(1e-12));
    assertThat(e.recall(0)).isCloseTo(3 / 4.0, within(1e-12));
    assertThat(e.precision(1)).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(e.recall(1)).isEqualTo(1.0);
    assertThat(e.precision(2)).isNaN(); // never predicted
    assertThat(e.recall(2)).isEqualTo(0.0);
    assertThat(e.support(2)).isEqualTo(1);
  }

  @Test
  void reportListsEveryClassAndTheMatrixRows() {
    String report = sample().report();
    assertThat(report).startsWith("accuracy 0.7143 (5 of 7)");
    assertThat(report).containsPattern("cat\\s+0\\.7500\\s+0\\.7500\\s+0\\.7500\\s+4");
    assertThat(report).containsPattern("0 cat\\s+3\\s+1\\s+0");
    assertThat(report).containsPattern("2 bird\\s+1\\s+0\\s+0");
  }

  @Test
  void confusionMatrixImageIsAPngWithACellPerPair(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cm.png");
    ConfusionMatrixImage.write(sample(), "test", file);
    var image = ImageIO.read(file.toFile());
    assertThat(image.getWidth()).isGreaterThan(3 * 64);
    assertThat(image.getHeight()).isGreaterThan(3 * 64);
    // The diagonal cell of the best class is shaded green, an empty off-diagonal cell stays white.
    long green = 0;
    long white = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xFFFFFF;
        int r = rgb >> 16;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        if (g > r + 40 && g > b + 40) {
          green++;
        }
        if (rgb == 0xFFFFFF) {
          white++;
        }
      }
    }
    assertThat(green).isGreaterThan(2 * 60 * 60);
    assertThat(white).isGreaterThan(60 * 60);
  }
}
