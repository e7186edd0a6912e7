package io.visionstream.model.savedmodel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Class names, one per line in class-index order. */
public final class Labels {

  /** File name of the labels beside an exported model. */
  public static final String FILE = "labels.txt";

  private Labels() {}

  /** The 1,000 ImageNet class names as torchvision names them. */
  public static List<String> imagenet() {
    try (InputStream in = Labels.class.getResourceAsStream("/io/visionstream/model/imagenet-labels.txt")) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("the bundled ImageNet labels are unreadable", e);
    }
  }

  /** {@code class_0 ... class_{n-1}}, for models without names. */
  public static List<String> numbered(int classes) {
    List<String> names = new ArrayList<>(classes);
    for (int i = 0; i < classes; i++) {
      names.add("class_" + i);
    }
    return names;
  }

  /** ImageNet names for 1,000 classes, numbered names otherwise. */
  public static List<String> defaultFor(int classes) {
    return classes == 1000 ? imagenet() : numbered(classes);
  }

  public static List<String> read(Path file) throws IOException {
    return parse(Files.readString(file));
  }

  public static void write(Path file, List<String> labels) throws IOException {
    Files.write(file, labels, StandardCharsets.UTF_8);
  }

  private static List<String> parse(String text) {
    return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }
}
