package io.visionstream.classifier.config;

import io.visionstream.service.SettingsException;
import java.util.List;

/** Configuration that cannot run; the message lists every problem with its key and the fix. */
public final class InvalidSettingsException extends SettingsException {

  public InvalidSettingsException(List<String> problems) {
    super("classifier", problems);
  }
}
