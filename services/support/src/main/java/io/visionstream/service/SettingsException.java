package io.visionstream.service;

import java.util.List;

/**
 * Settings a service cannot run with, each problem naming its key(s) and what is allowed; thrown
 * by a service's own cross-key checks. {@link ServiceMain} prints the problems and exits with 2,
 * without a stack trace.
 */
public class SettingsException extends IllegalArgumentException {

  private final List<String> problems;

  public SettingsException(String service, List<String> problems) {
    super("invalid " + service + " configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
