package io.visionstream.classifier.config;

import java.util.List;

/** Configuration that cannot run; the message lists every problem with its key and the fix. */
public final class InvalidSettingsException extends IllegalArgumentException {

  private final List<String> problems;

  public InvalidSettingsException(List<String> problems) {
    super("invalid classifier configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
