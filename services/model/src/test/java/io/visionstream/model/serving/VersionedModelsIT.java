package io.visionstream.model.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.ModelLoadException;
import io.visionstream.model.weights.SeededWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class VersionedModelsIT {

  @TempDir
  static Path shared;

  private static Path one;
  private static Path two;

  @TempDir
  Path work;

  /** Two valid versions exported once; each test copies them into its own directory. */
  @BeforeAll
  static void export() {
    Path versions = shared.resolve("versions");
    one = TestVersions.add(versions, 1, 1);
    two = TestVersions.add(versions, 2, 2);
  }

  private Path versions() {
    Path versions = work.resolve("versions");
    TestVersions.copyFrom(one, versions, 1);
    TestVersions.copyFrom(two, versions, 2);
    return versions;
  }

  private static VersionedModels open(Path dir, Long pinned) {
    return VersionedModels.open(new VersionedModels.Settings(dir, pinned, SessionSettings.DEFAULT, ClassifierModel.Options.NONE),
        Clock.systemUTC());
  }

  private static float[] scores(ServingModel.Lease lease) {
    try (TFloat32 batch = TFloat32.tensorOf(Shape.of(1, TestVersions.SIZE, TestVersions.SIZE, 3))) {
      return lease.version().runner().run(batch, false).probabilities()[0];
    }
  }

  @Test
  void servesTheNewestVersionAndSwapsInANewerOneWhileABatchFinishesOnTheOld() throws InterruptedException {
    Path versions = versions();
    try (VersionedModels models = open(versions, null)) {
      assertThat(models.versioned()).isTrue();
      assertThat(models.serving().current().version()).isEqualTo("2");
      assertThat(models.refresh().swapped()).isFalse();

      ServingModel.Lease held = models.serving().acquire();
      TestVersions.add(versions, 3, 3);
      VersionedModels.Refresh refresh = models.refresh();
      assertThat(refresh.swapped()).isTrue();
      assertThat(refresh.previous()).isEqualTo("2");
      assertThat(refresh.serving()).isEqualTo("3");
      assertThat(refresh.rejected()).isEmpty();

      // the batch that held version 2 still runs on it; version 2 closes when it lets go
      assertThat(models.serving().openVersions()).isEqualTo(2);
      assertThat(scores(held)).hasSize(TestVersions.CLASSES);
      held.close();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (models.serving().openVersions() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(models.serving().openVersions()).isEqualTo(1);
      try (ServingModel.Lease lease = models.serving().acquire()) {
        assertThat(lease.version().version()).isEqualTo("3");
        assertThat(lease.version().name()).isEqualTo("resnet18-tiny");
      }
    }
  }

  @Test
  void rejectsBrokenVersionsWithTheirReasonKeepsServingAndTriesThemAgainOnlyWhenTheirFilesChange() throws Exception {
    Path versions = versions();
    try (VersionedModels models = open(versions, null)) {
      TestVersions.addNaN(versions, 3);
      VersionedModels.Refresh refresh = models.refresh();
      assertThat(refresh.swapped()).isFalse();
      assertThat(refresh.serving()).isEqualTo("2");
      assertThat(refresh.rejected()).singleElement().satisfies(r -> {
        assertThat(r.version()).isEqualTo("3");
        assertThat(r.reason()).contains("warm-up batch scored NaN");
      });

      TestVersions.add(versions, 4, new SeededWeights(4), 5, TestVersions.SIZE);
      refresh = models.refresh();
      assertThat(refresh.rejected()).singleElement().satisfies(r -> {
        assertThat(r.version()).isEqualTo("4");
        assertThat(r.reason()).isEqualTo("it scores 5 classes; the serving model scores 10");
      });

      TestVersions.add(versions, 5, new SeededWeights(5), TestVersions.CLASSES, 32);
      assertThat(models.refresh().rejected()).singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo("it takes 32×32 inputs; the serving model takes 64×64"));

      Path six = TestVersions.copyFrom(two, versions, 6);
      Files.delete(six.resolve("saved_model.pb"));
      assertThat(models.refresh().rejected()).singleElement()
          .satisfies(r -> assertThat(r.reason()).contains("not a SavedModel directory"));

      // known-bad versions are not loaded again
      refresh = models.refresh();
      assertThat(refresh.rejected()).isEmpty();
      assertThat(refresh.serving()).isEqualTo("2");
      assertThat(models.rejections()).extracting(VersionedModels.Rejection::version).containsExactly("3", "4", "5", "6");

      // version 6 finished copying: its files changed, so it is tried again and serves
      Files.copy(two.resolve("saved_model.pb"), six.resolve("saved_model.pb"));
      refresh = models.refresh();
      assertThat(refresh.serving()).isEqualTo("6");
      assertThat(models.rejections()).extracting(VersionedModels.Rejection::version).containsExactly("3", "4", "5");
    }
  }

  @Test
  void removingTheServingVersionRollsBackToTheNewestValidOlderOne() {
    Path versions = versions();
    try (VersionedModels models = open(versions, null)) {
      TestVersions.addNaN(versions, 3);
      TestVersions.remove(versions, 2);
      VersionedModels.Refresh refresh = models.refresh();
      assertThat(refresh.previous()).isEqualTo("2");
      assertThat(refresh.serving()).isEqualTo("1");
      assertThat(refresh.rejected()).extracting(VersionedModels.Rejection::version).containsExactly("3");

      TestVersions.remove(versions, 1);
      refresh = models.refresh();
      assertThat(refresh.serving()).isEqualTo("1");
      assertThat(refresh.note()).isEqualTo("version 1 was removed from " + versions
          + " and no other version can serve; still serving it");
      assertThat(models.note()).isEqualTo(refresh.note());
    }
  }

  @Test
  void aPinnedVersionServesEvenWhenNewerOnesExist() {
    Path versions = versions();
    try (VersionedModels models = open(versions, 1L)) {
      assertThat(models.serving().current().version()).isEqualTo("1");
      TestVersions.copyFrom(two, versions, 3);
      assertThat(models.refresh().swapped()).isFalse();
      assertThat(models.serving().current().version()).isEqualTo("1");
    }
    assertThatThrownBy(() -> open(versions, 7L)).isInstanceOf(ModelLoadException.class)
        .hasMessage(versions + " has no version 7");
  }

  @Test
  void startUpSkipsInvalidVersionsAndFailsNamingEachWhenNoneCanServe() {
    Path versions = work.resolve("versions");
    TestVersions.copyFrom(one, versions, 1);
    TestVersions.addNaN(versions, 2);
    try (VersionedModels models = open(versions, null)) {
      assertThat(models.serving().current().version()).isEqualTo("1");
      assertThat(models.startupRejections()).extracting(VersionedModels.Rejection::version).containsExactly("2");
      assertThat(models.rejections()).extracting(VersionedModels.Rejection::version).containsExactly("2");
    }
    TestVersions.remove(versions, 1);
    assertThatThrownBy(() -> open(versions, null)).isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("no version in " + versions + " can serve: version 2: the warm-up batch scored NaN");
    Path empty = work.resolve("empty");
    assertThatThrownBy(() -> {
      Files.createDirectories(empty);
      open(empty, null);
    }).isInstanceOf(ModelLoadException.class)
        .hasMessage(empty + " holds neither saved_model.pb nor numbered version directories (1/, 2/, …)");
  }

  @Test
  void aSingleSavedModelServesAsItIsAndCannotBePinned() {
    try (VersionedModels models = open(one, null)) {
      assertThat(models.versioned()).isFalse();
      assertThat(models.serving().current().version()).isEqualTo("seed:1");
      assertThat(models.refresh().swapped()).isFalse();
    }
    assertThatThrownBy(() -> open(one, 1L)).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("is a single SavedModel, not a directory of numbered versions");
  }
}
