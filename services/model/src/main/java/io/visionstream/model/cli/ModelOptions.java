package io.visionstream.model.cli;

import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.ScoresKind;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which model to load and how to read a SavedModel that has no visionstream metadata. */
final class ModelOptions {

  @Option(names = "--model", required = true, description = "SavedModel directory.")
  Path dir;

  @Option(names = "--signature", description = "Signature key (default: serving_default, or the only one).")
  String signature;

  @Option(names = "--input", description = "Signature input holding the image batch.")
  String input;

  @Option(names = "--scores", description = "Signature output holding class scores.")
  String scores;

  @Option(names = "--scores-kind", description = "PROBABILITIES or LOGITS (default: from metadata or the output name).")
  ScoresKind scoresKind;

  @Option(names = "--preprocessing", description = "torchvision or caffe (default: from metadata, else torchvision).")
  String preprocessing;

  @Option(names = "--labels", description = "Class names file, one per line.")
  Path labels;

  ClassifierModel.Options options() {
    return new ClassifierModel.Options(signature, input, scores, scoresKind,
        preprocessing == null ? null : Preprocessing.preset(preprocessing), labels);
  }
}
