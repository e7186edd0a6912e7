package io.visionstream.service;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of what the services print: a setting whose name says it holds a secret
 * (a password, a JAAS login, a key, a token, a credential) is shown as {@value #REDACTED}, and a
 * password inside a text (a JAAS login in an error message) is cut out.
 */
public final class Secrets {

  public static final String REDACTED = "[redacted]";

  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(password|passwd|secret|jaas|token|credential|api[._-]?key|private[._-]?key|key[._-]password|sasl[._-]?login).*");
  private static final Pattern PASSWORD_IN_TEXT = Pattern.compile("(?i)(password\\s*=\\s*)(\"[^\"]*\"|'[^']*'|[^\\s;,\"']+)");

  private Secrets() {}

  /** Whether a setting or property named {@code name} holds a secret. */
  public static boolean isSecret(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  /** {@code value}, or {@value #REDACTED} when {@code name} holds a secret. */
  public static String shown(String name, Object value) {
    return isSecret(name) ? REDACTED : String.valueOf(value);
  }

  /** {@code text} with every {@code password=...} value cut out. */
  public static String scrub(String text) {
    return text == null ? null : PASSWORD_IN_TEXT.matcher(text).replaceAll("$1" + REDACTED);
  }

  /** A copy of {@code config}, sorted, with secret values redacted: for logging a client configuration. */
  public static Map<String, String> shown(Map<String, ?> config) {
    Map<String, String> shown = new TreeMap<>();
    config.forEach((k, v) -> shown.put(k, shown(k, v)));
    return shown;
  }
}
