package io.visionstream.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.model.savedmodel.ScoresKind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class BatchRunnerTest {

  /** A fake model: scores row i = [x, 1 − x] where x is the row's first input value; fails above {@code limit} rows. */
  private static BatchRunner.SessionCall limitedTo(int limit, List<Integer> sizesRun) {
    return (batch, withLogits) -> {
      int n = (int) batch.shape().get(0);
      sizesRun.add(n);
      if (n > limit) {
        throw new TFResourceExhaustedException("OOM when allocating tensor for a batch of " + n);
      }
      float[][] scores = new float[n][];
      long per = batch.size() / n;
      for (int i = 0; i < n; i++) {
        float x = batch.getFloat(i, 0, 0, 0);
        scores[i] = new float[] {x, 1 - x};
        assertThat(per).isPositive();
      }
      return new float[][][] {scores, withLogits ? scores : null};
    };
  }

  private static TFloat32 batchOf(int n) {
    float[] values = new float[n * 2 * 2 * 3];
    for (int i = 0; i < n; i++) {
      values[i * 12] = i / 100f;
    }
    return TFloat32.tensorOf(Shape.of(n, 2, 2, 3), DataBuffers.of(values, true, false));
  }

  @Test
  void batchThatRunsOutOfMemoryIsSplitAndKeepsRowOrder() {
    List<Integer> sizes = new ArrayList<>();
    BatchRunner runner = new BatchRunner(limitedTo(3, sizes), ScoresKind.PROBABILITIES, true);
    try (TFloat32 batch = batchOf(10)) {
      BatchRunner.Scores scores = runner.run(batch, true);
      assertThat(scores.probabilities()).hasNumberOfRows(10);
      IntStream.range(0, 10).forEach(i -> assertThat(scores.probabilities()[i][0]).isEqualTo(i / 100f));
      assertThat(scores.logits()).isNotNull().hasNumberOfRows(10);
      assertThat(sizes).containsExactly(10, 5, 2, 3, 5, 2, 3);
      assertThat(scores.splits()).isEqualTo(3);
    }
  }

  @Test
  void singleImageThatRunsOutOfMemoryFails() {
    BatchRunner runner = new BatchRunner(limitedTo(0, new ArrayList<>()), ScoresKind.PROBABILITIES, false);
    try (TFloat32 batch = batchOf(2)) {
      assertThatThrownBy(() -> runner.run(batch, false)).isInstanceOf(TFResourceExhaustedException.class);
    }
  }

  @Test
  void logitOutputsAreTurnedIntoProbabilities() {
    BatchRunner runner = new BatchRunner((batch, withLogits) -> new float[][][] {{{0f, (float) Math.log(3)}}, null},
        ScoresKind.LOGITS, false);
    try (TFloat32 batch = batchOf(1)) {
      assertThat(runner.run(batch, false).probabilities()[0]).containsExactly(0.25f, 0.75f);
    }
  }

  @Test
  void topClassesAreBestFirstWithTiesByIndex() {
    List<ClassScores> top = ClassScores.top(new float[] {0.1f, 0.4f, 0.1f, 0.4f, 0f}, 3, List.of("a", "b", "c", "d", "e"));
    assertThat(top).containsExactly(new ClassScores(1, "b", 0.4f), new ClassScores(3, "d", 0.4f), new ClassScores(0, "a", 0.1f));
  }
}
