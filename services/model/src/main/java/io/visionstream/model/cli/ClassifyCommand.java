package io.visionstream.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.ClassScores;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.ImageRejectedException;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.weights.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "classify", mixinStandardHelpOptions = true,
    description = {"Classifies image files (JPEG, PNG) and prints one JSON object per file: its top classes "
        + "(ranked by logits when the model has them), or why it was rejected or could not be read. "
        + "Exit code 1 if any file failed.",
        "With --tensor, classifies the rows of a preprocessed float32 [N,H,W,3] .npy array instead."})
final class ClassifyCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  SessionOptions session;

  @Option(names = "--top", defaultValue = "5", description = "Classes per image (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--logits", description = "Also print the raw logits.")
  boolean logits;

  @Option(names = "--batch-size", defaultValue = "16", description = "Images per model run (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--max-pixels", defaultValue = "40000000", description = "Reject images whose header declares more pixels (default: ${DEFAULT-VALUE}).")
  long maxPixels;

  @Option(names = "--tensor", description = "Preprocessed input batch (.npy, float32, NHWC) instead of image files.")
  Path tensor;

  @Parameters(description = "Image files.")
  List<Path> files = new ArrayList<>();

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    if (tensor == null && files.isEmpty()) {
      throw new IllegalArgumentException("give image files to classify, or --tensor");
    }
    try (ClassifierModel classifier = ClassifierModel.load(model.dir, session.settings(), model.options())) {
      BatchRunner runner = new BatchRunner(classifier);
      if (tensor != null) {
        classifyTensor(runner);
        return 0;
      }
      boolean failed = false;
      try (ImagePreprocessor preprocessor = new ImagePreprocessor(classifier.preprocessing(), batchSize, maxPixels,
          session.settings().withCpuBf16(false))) {
        for (int from = 0; from < files.size(); from += batchSize) {
          failed |= classifyFiles(runner, preprocessor, files.subList(from, Math.min(files.size(), from + batchSize)));
        }
      }
      return failed ? 1 : 0;
    }
  }

  /** Classifies one batch of files, a line per file in order; true if any could not be read or was rejected. */
  private boolean classifyFiles(BatchRunner runner, ImagePreprocessor preprocessor, List<Path> batch) throws IOException {
    List<Path> readable = new ArrayList<>();
    List<byte[]> images = new ArrayList<>();
    Map<Path, String> unreadable = new LinkedHashMap<>();
    for (Path file : batch) {
      try {
        images.add(Files.readAllBytes(file));
        readable.add(file);
      } catch (NoSuchFileException e) {
        unreadable.put(file, "no such file");
      } catch (IOException e) {
        unreadable.put(file, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    Map<Path, Map<String, Object>> lines = new LinkedHashMap<>();
    unreadable.forEach((file, why) -> lines.put(file, line(file, "error", "cannot read " + file + ": " + why)));
    boolean failed = !unreadable.isEmpty();
    if (!images.isEmpty()) {
      try (PreprocessedBatch input = preprocessor.run(images)) {
        BatchRunner.Scores scores = input.accepted() > 0 ? runner.run(input.tensor(), true) : null;
        for (int i = 0; i < readable.size(); i++) {
          Map<String, Object> line = line(readable.get(i), null, null);
          int row = input.row(i);
          if (row < 0) {
            ImageRejectedException e = input.rejection(i).orElseThrow();
            line.put("rejected", Map.of("reason", e.reason().name(), "message", e.getMessage()));
            failed = true;
          } else {
            describe(line, scores, row, runner.model());
          }
          lines.put(readable.get(i), line);
        }
      }
    }
    for (Path file : batch) {
      System.out.println(json.writeValueAsString(lines.get(file)));
    }
    return failed;
  }

  private static Map<String, Object> line(Path file, String key, Object value) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("file", file.toString());
    if (key != null) {
      line.put(key, value);
    }
    return line;
  }

  private void classifyTensor(BatchRunner runner) throws IOException {
    NpyArray array = NpyArray.parse(Files.readAllBytes(tensor), tensor.toString());
    try (TFloat32 batch = TFloat32.tensorOf(Shape.of(array.shape()), DataBuffers.of(array.toFloats(tensor.toString()), true, false))) {
      BatchRunner.Scores scores = runner.run(batch, true);
      for (int row = 0; row < scores.probabilities().length; row++) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("row", row);
        describe(line, scores, row, runner.model());
        System.out.println(json.writeValueAsString(line));
      }
    }
  }

  private void describe(Map<String, Object> line, BatchRunner.Scores scores, int row, ClassifierModel classifier) {
    float[] probabilities = scores.probabilities()[row];
    float[] rankBy = scores.logits() != null ? scores.logits()[row] : probabilities;
    line.put("top", ClassScores.top(rankBy, probabilities, top, classifier.labels()));
    if (logits) {
      line.put("logits", scores.logits() != null ? scores.logits()[row] : null);
    }
  }
}
