package io.visionstream.model.cli;

import io.visionstream.model.train.Batches;
import io.visionstream.model.train.FashionMnist;
import io.visionstream.model.train.LabelledImages;
import io.visionstream.model.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the labelled images are: IDX files as Fashion-MNIST ships them. */
final class DatasetOptions {

  @Option(names = "--dataset", description = "Directory with Fashion-MNIST's IDX files (train-images-idx3-ubyte[.gz], "
      + "t10k-…) (default: ${DEFAULT-VALUE}, Debian's dataset-fashion-mnist).", defaultValue = "/usr/share/datasets/fashion-mnist")
  Path dir;

  @Option(names = "--limit", description = "Use only the first N images of each split (quick trials).")
  Integer limit;

  /** A trainer on the training split that evaluates on the test split after every epoch. */
  Trainer trainer() throws IOException {
    return new Trainer(new Batches(load(FashionMnist.Split.TRAIN), FashionMnist.PREPROCESSING),
        new Batches(load(FashionMnist.Split.TEST), FashionMnist.PREPROCESSING));
  }

  LabelledImages load(FashionMnist.Split split) throws IOException {
    LabelledImages images = FashionMnist.load(dir, split);
    return limit == null ? images : images.first(limit);
  }
}
