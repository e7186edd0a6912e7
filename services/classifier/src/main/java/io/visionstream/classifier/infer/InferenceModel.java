package io.visionstream.classifier.infer;

import io.visionstream.model.inference.BatchRunner;
import java.util.List;
import org.tensorflow.types.TFloat32;

/** The model as the inference worker sees it: a batch of preprocessed images in, class scores out. */
public interface InferenceModel {

  /** Scores of each image of {@code batch} [n, size, size, 3]; the caller keeps and closes the tensor. */
  BatchRunner.Scores run(TFloat32 batch);

  /** Height and width of one input image. */
  int inputSize();

  /** Class labels, by class index. */
  List<String> labels();

  /** The model behind {@code runner}. */
  static InferenceModel of(BatchRunner runner) {
    int size = runner.model().preprocessing().cropSize();
    List<String> labels = runner.model().labels();
    return new InferenceModel() {
      @Override
      public BatchRunner.Scores run(TFloat32 batch) {
        return runner.run(batch, false);
      }

      @Override
      public int inputSize() {
        return size;
      }

      @Override
      public List<String> labels() {
        return labels;
      }
    };
  }
}
