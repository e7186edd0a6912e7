package io.visionstream.service;

/**
 * One setting a service cannot accept.
 *
 * @param key the key, e.g. {@code visionstream.classifier.delivery.guarantee}
 * @param value the value given, as text
 * @param origin where it was given, e.g. {@code environment variable VISIONSTREAM_CLASSIFIER_DELIVERY_GUARANTEE}
 * @param allowed what is allowed instead (and "did you mean" for a near miss)
 */
public record SettingsProblem(String key, String value, String origin, String allowed) {

  /** The value is shown redacted when the key holds a secret (a password, a JAAS login). */
  public SettingsProblem {
    value = Secrets.shown(key, value);
  }

  /** Two lines: the key, value and origin; then what is allowed. */
  @Override
  public String toString() {
    return key + " = " + value + " (" + origin + ")\n    " + allowed;
  }
}
