package io.visionstream.model.cli;

import io.visionstream.model.eval.ConfusionMatrixImage;
import io.visionstream.model.eval.DatasetClassifier;
import io.visionstream.model.eval.Evaluation;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.train.Batches;
import io.visionstream.model.train.FashionMnist;
import io.visionstream.model.train.LabelledImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Classifies a Fashion-MNIST split with a SavedModel, as the classifier service would, and reports "
        + "accuracy, per-class precision and recall and the confusion matrix.",
        "With --out: report.txt, confusion-matrix.png and predictions.csv (one line per image, by event id)."})
final class EvaluateCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Mixin
  SessionOptions session;

  @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--batch-size", defaultValue = "16", description = "Images per session run (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--out", description = "Directory for report.txt, confusion-matrix.png and predictions.csv.")
  Path out;

  @Mixin
  DatasetOptions dataset;

  @Override
  public Integer call() throws Exception {
    FashionMnist.Split which = FashionMnist.Split.valueOf(split.strip().toUpperCase(Locale.ROOT));
    LabelledImages images = dataset.load(which);
    try (ClassifierModel loaded = ClassifierModel.load(model.dir, session.settings(), model.options())) {
      if (loaded.labels().size() != images.classes().size()) {
        throw new IllegalArgumentException(model.dir + " has " + loaded.labels().size() + " classes; " + images.name() + " has "
            + images.classes().size());
      }
      long start = System.nanoTime();
      DatasetClassifier.Prediction[] predictions = DatasetClassifier.classify(new BatchRunner(loaded),
          new Batches(images, loaded.preprocessing()), batchSize);
      double seconds = (System.nanoTime() - start) / 1e9;
      Evaluation evaluation = DatasetClassifier.evaluate(predictions, images.classes());
      String report = String.format(Locale.ROOT, "%s %s on %s (%d images, %.1f s, %.0f images/s)%n%n", loaded.name(),
          loaded.version(), images.name(), images.count(), seconds, images.count() / seconds) + evaluation.report();
      System.out.print(report);
      if (out != null) {
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.txt"), report);
        ConfusionMatrixImage.write(evaluation, loaded.name() + " on " + images.name(), out.resolve("confusion-matrix.png"));
        DatasetClassifier.writeCsv(predictions, i -> FashionMnist.eventId(which, i), images.classes(), out.resolve("predictions.csv"));
        System.out.println("wrote " + out.resolve("report.txt") + ", confusion-matrix.png and predictions.csv");
      }
    }
    return 0;
  }
}
