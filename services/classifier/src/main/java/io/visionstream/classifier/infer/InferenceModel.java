package io.visionstream.classifier.infer;

import io.visionstream.classifier.model.ModelRefs;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ModelRef;
import java.util.List;
import java.util.function.UnaryOperator;
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

  /** A batch's hold on the model version it runs on, from start to end; close it when the batch is done. */
  interface Lease extends AutoCloseable {
    InferenceModel model();

    /** The version, as predictions name it. */
    ModelRef ref();

    @Override
    void close();
  }

  /** A lease on {@code model}, named {@code ref}, that runs {@code release} when closed. */
  record Leased(InferenceModel model, ModelRef ref, Runnable release) implements Lease {
    @Override
    public void close() {
      release.run();
    }
  }

  /** Where each batch gets its model: the version serving when the batch starts. */
  interface Source {
    Lease acquire();

    /** Always {@code model}, named {@code ref}. */
    static Source fixed(InferenceModel model, ModelRef ref) {
      Lease lease = new Leased(model, ref, () -> {});
      return () -> lease;
    }

    /**
     * The versions {@code serving} swaps in, each wrapped once by {@code wrap} (fault-injection
     * tests wrap the model), named with the {@code preprocessing} mode their inputs were made in.
     */
    static Source of(ServingModel serving, PreprocessingMode preprocessing, UnaryOperator<InferenceModel> wrap) {
      return new Source() {
        private ServingModel.Version last;
        private InferenceModel wrapped;

        @Override
        public synchronized Lease acquire() {
          ServingModel.Lease lease = serving.acquire();
          ServingModel.Version version = lease.version();
          if (version != last) {
            last = version;
            wrapped = wrap.apply(InferenceModel.of(version.runner()));
          }
          return new Leased(wrapped, ModelRefs.of(version, preprocessing), lease::close);
        }
      };
    }
  }
}
