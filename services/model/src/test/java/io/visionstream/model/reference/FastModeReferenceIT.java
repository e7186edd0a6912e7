package io.visionstream.model.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.ImagePreprocessor;
import io.visionstream.model.preprocess.PreprocessedBatch;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.preprocess.PreprocessingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both preprocessing modes against PIL and torchvision (Debian's python3-torchvision): exact equals
 * the eval transform on the image PIL decodes at full size, and fast equals it on the image PIL
 * decodes with {@code draft()} at the same DCT scale, bit for bit, for real photographs framed at
 * three camera resolutions. Skipped without python3-torchvision / python3-skimage.
 */
class FastModeReferenceIT {

  private static final Path SKIMAGE_DATA = Path.of("/usr/lib/python3/dist-packages/skimage/data");
  private static final List<String> PHOTOS = List.of("astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png",
      "rocket.jpg");

  @TempDir
  Path work;

  @Test
  void exactAndFastModeInputsAreBitIdenticalToTorchvisionOnPilsFullAndDraftDecodes() throws Exception {
    assumeThat(TorchvisionReferenceIT.python("-c", "import torch, torchvision, PIL, numpy").exit())
        .as("python3-torchvision is installed").isZero();
    assumeThat(SKIMAGE_DATA.resolve("chelsea.png")).as("python3-skimage photographs").exists();
    List<String> args = new ArrayList<>(List.of("src/test/python/draft_reference.py", "--out", work.toString(),
        "--size", "640x480", "--size", "1280x720", "--size", "1920x1080"));
    PHOTOS.forEach(p -> args.add(SKIMAGE_DATA.resolve(p).toString()));
    TorchvisionReferenceIT.Exec reference = TorchvisionReferenceIT.python(args.toArray(String[]::new));
    assertThat(reference.exit()).as(reference.err()).isZero();
    JsonNode frames = new ObjectMapper().readTree(work.resolve("manifest.json").toFile()).path("frames");
    assertThat(frames).hasSize(PHOTOS.size() * 3);

    int checked = 0;
    for (PreprocessingMode mode : PreprocessingMode.values()) {
      try (ImagePreprocessor preprocessor = new ImagePreprocessor(Preprocessing.TORCHVISION, mode, 1, 100_000_000L,
          SessionSettings.DEFAULT)) {
        for (JsonNode frame : frames) {
          String name = frame.path("name").asText();
          byte[] jpeg = Files.readAllBytes(work.resolve(name + ".jpg"));
          float[] ours = new float[224 * 224 * 3];
          try (PreprocessedBatch batch = preprocessor.run(List.of(jpeg))) {
            batch.tensor().asRawTensor().data().asFloats().read(ours);
          }
          float[] theirs = new float[ours.length];
          ByteBuffer.wrap(Files.readAllBytes(work.resolve(name + "-" + mode.label() + ".f32"))).order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer().get(theirs);
          assertThat(ours).as("%s, %s mode", name, mode.label()).isEqualTo(theirs);
          if (mode == PreprocessingMode.FAST) {
            String[] wh = name.substring(name.lastIndexOf('-') + 1).split("x");
            assertThat(mode.jpegScale(Preprocessing.TORCHVISION, Integer.parseInt(wh[0]), Integer.parseInt(wh[1])))
                .as("the DCT scale of %s", name).isEqualTo(frame.path("scale").asInt());
          }
          checked++;
        }
      }
    }
    System.out.printf("%d frames (%d photographs × 3 resolutions) bit-identical to PIL + torchvision in both modes%n",
        checked / 2, PHOTOS.size());
  }
}
