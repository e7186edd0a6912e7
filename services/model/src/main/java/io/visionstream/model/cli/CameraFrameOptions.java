package io.visionstream.model.cli;

import io.visionstream.model.preprocess.ImageEncoding;
import java.awt.image.BufferedImage;
import java.util.List;
import picocli.CommandLine.Option;

/** How images become camera frames: the resolutions they are scaled to and the JPEG quality. */
final class CameraFrameOptions {

  @Option(names = "--resolutions", split = ",", defaultValue = "640x480,1280x720,1920x1080",
      description = "Camera resolutions WIDTHxHEIGHT the images are scaled to (default: ${DEFAULT-VALUE}).")
  List<String> resolutions;

  @Option(names = "--quality", defaultValue = "0.9", description = "JPEG quality, 0..1 (default: ${DEFAULT-VALUE}).")
  float quality;

  /** Width and height of {@code resolution} ({@code WIDTHxHEIGHT}). */
  static int[] size(String resolution) {
    String[] wh = resolution.split("x");
    return new int[] {Integer.parseInt(wh[0]), Integer.parseInt(wh[1])};
  }

  /** {@code image} as a camera at {@code width}×{@code height} would send it. */
  byte[] frame(BufferedImage image, int width, int height) {
    return ImageEncoding.jpeg(ImageEncoding.scaled(image, width, height), quality);
  }
}
