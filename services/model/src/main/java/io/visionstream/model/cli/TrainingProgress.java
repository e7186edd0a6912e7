package io.visionstream.model.cli;

import io.visionstream.model.train.Trainer;
import io.visionstream.model.train.TrainingState;
import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar over all steps of a run (loss, learning rate, images/s) and a line per epoch. */
final class TrainingProgress implements Trainer.Listener, AutoCloseable {

  private ProgressBar bar;
  private double smoothedLoss = Double.NaN;
  private int epochs;

  @Override
  public void started(TrainingState state, long totalSteps) {
    epochs = state.config().epochs();
    System.out.printf("training %s (%s stem, width %d) for %d epochs, batch %d, from step %d of %d%n",
        state.config().architecture(), state.config().stem(), state.config().width(), epochs, state.config().batchSize(),
        state.step(), totalSteps);
    bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(1000).continuousUpdate().build();
    bar.stepTo(state.step());
  }

  @Override
  public void stepped(long step, float loss, float learningRate, double imagesPerSecond) {
    smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.98 * smoothedLoss + 0.02 * loss;
    bar.stepTo(step);
    bar.setExtraMessage(String.format("loss %.3f lr %.4f %.0f img/s", smoothedLoss, learningRate, imagesPerSecond));
  }

  @Override
  public void epochEnded(TrainingState.Epoch e, Path checkpoint) {
    String test = e.testAccuracy() >= 0 ? String.format(", test accuracy %.4f", e.testAccuracy()) : "";
    System.out.printf("%nepoch %d/%d: train loss %.4f, train accuracy %.4f%s, %.0f s (%.0f images/s); checkpoint %s%n",
        e.epoch(), epochs, e.trainLoss(), e.trainAccuracy(), test, e.seconds(), e.imagesPerSecond(), checkpoint);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
