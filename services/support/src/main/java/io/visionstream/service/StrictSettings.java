package io.visionstream.service;

import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks every {@code visionstream.*} setting a service is given, from any property source
 * (application.yml, system properties, environment variables), against its {@link SettingsSchema}
 * before anything binds them: a value that does not parse (an unknown enum value, a number, a
 * duration) or a key the service does not know is a problem, never a silent default. A key in
 * another service's namespace is not this service's business and is left alone, unless its
 * namespace is a near miss of one this service owns.
 */
public final class StrictSettings {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|ms|s|m|h|d)");
  private static final String PREFIX = "visionstream.";

  private StrictSettings() {}

  /** Every problem with the settings in {@code environment}, in the order the sources list them. */
  public static List<SettingsProblem> check(Environment environment, SettingsSchema schema) {
    List<SettingsProblem> problems = new ArrayList<>();
    Collection<PropertySource> sources = environment.getPropertySources();
    for (PropertySource source : sources) {
      boolean variables = source.getConvention() == PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE;
      for (String raw : source) {
        String key = variables ? fromVariable(raw, schema) : normalise(raw);
        if (key == null || !key.startsWith(PREFIX)) {
          continue;
        }
        Object value = source.get(raw);
        String origin = origin(source, raw, variables);
        SettingsSchema.Key spec = schema.find(key);
        if (spec == null) {
          unknown(problems, schema, key, raw, value, origin, variables);
        } else {
          String text = resolved(environment, key, value);
          String allowed = text == null ? null : allowed(spec, text);
          if (allowed != null) {
            problems.add(new SettingsProblem(key, text, origin, allowed));
          }
        }
      }
    }
    return problems;
  }

  /** What {@code spec} allows, if {@code value} is not that; null when it is. */
  static String allowed(SettingsSchema.Key spec, String value) {
    String v = value.strip();
    switch (spec.kind()) {
      case ENUM -> {
        String wanted = v.toLowerCase(Locale.ROOT).replace('_', '-');
        return spec.allowed().contains(wanted) ? null : "allowed: " + String.join(", ", spec.allowed()) + nearest(wanted, spec.allowed());
      }
      case CHOICE -> {
        return spec.allowed().contains(v) ? null : "allowed: " + String.join(", ", spec.allowed()) + nearest(v, spec.allowed());
      }
      case WHOLE_NUMBER -> {
        try {
          Integer.parseInt(v);
          return null;
        } catch (NumberFormatException e) {
          return "allowed: a whole number (at most " + Integer.MAX_VALUE + ")";
        }
      }
      case LONG_NUMBER -> {
        try {
          Long.parseLong(v);
          return null;
        } catch (NumberFormatException e) {
          return "allowed: a whole number" + (spec.name().endsWith("-bytes") ? " of bytes, e.g. 268435456 for 256 MiB" : "");
        }
      }
      case DECIMAL -> {
        try {
          new BigDecimal(v);
          return null;
        } catch (NumberFormatException e) {
          return "allowed: a number, e.g. 0.5";
        }
      }
      case BOOLEAN -> {
        return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? null : "allowed: true, false";
      }
      case DURATION -> {
        return duration(v) ? null : "allowed: a duration such as 500ms, 10s, 5m, 1h or PT10S";
      }
      default -> {
        return null;
      }
    }
  }

  static boolean duration(String value) {
    if (DURATION.matcher(value).matches()) {
      return true;
    }
    try {
      Duration.parse(value.toUpperCase(Locale.ROOT));
      return value.toUpperCase(Locale.ROOT).startsWith("P");
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static void unknown(List<SettingsProblem> problems, SettingsSchema schema, String key, String raw, Object value,
      String origin, boolean variables) {
    String namespace = owner(schema, key);
    if (namespace == null) {
      return;
    }
    List<String> candidates = variables ? schema.names().stream().map(StrictSettings::variable).toList() : schema.names();
    String near = nearest(variables ? raw.toUpperCase(Locale.ROOT) : key, candidates);
    problems.add(new SettingsProblem(variables ? raw : key, String.valueOf(value), origin, "unknown key: the "
        + schema.service() + " has no such setting" + near + " (the keys are in its README's configuration table)"));
  }

  /** The namespace of {@code schema} that {@code key} is in or nearly in (a misspelt namespace); null if none. */
  private static String owner(SettingsSchema schema, String key) {
    for (String namespace : schema.namespaces()) {
      if (key.startsWith(namespace + ".")) {
        return namespace;
      }
      String[] given = key.split("\\.");
      String[] owned = namespace.split("\\.");
      if (given.length > owned.length) {
        String prefix = String.join(".", java.util.Arrays.copyOf(given, owned.length));
        if (distance(prefix, namespace) <= 2) {
          return namespace;
        }
      }
    }
    return null;
  }

  /**
   * The setting of {@code schema} that environment variable {@code variable} (such as
   * {@code VISIONSTREAM_CLASSIFIER_MODEL_DIR}) sets, or empty if the service reads no such variable.
   */
  public static Optional<String> settingOf(String variable, SettingsSchema schema) {
    String key = fromVariable(variable, schema);
    return key != null && schema.find(key) != null ? Optional.of(key) : Optional.empty();
  }

  /** The key an environment variable names: the schema key (or map key) it spells, else its dotted form. */
  static String fromVariable(String variable, SettingsSchema schema) {
    if (!variable.startsWith("VISIONSTREAM_")) {
      return null;
    }
    for (String name : schema.names()) {
      SettingsSchema.Key key = schema.keys().get(name);
      String spelled = variable(name);
      if (variable.equals(spelled)) {
        return name;
      }
      if (key.kind() == SettingsSchema.Kind.MAP && variable.startsWith(spelled + "_")) {
        return name + "." + variable.substring(spelled.length() + 1).toLowerCase(Locale.ROOT).replace('_', '.');
      }
    }
    return variable.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** {@code visionstream.classifier.max-batch-size} → {@code VISIONSTREAM_CLASSIFIER_MAX_BATCH_SIZE}. */
  static String variable(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** camelCase and snake_case segments in kebab-case, as Micronaut binds them. */
  static String normalise(String key) {
    return SettingsSchema.kebab(key).replace('_', '-');
  }

  private static String resolved(Environment environment, String key, Object value) {
    if (value == null) {
      return null;
    }
    String text = String.valueOf(value);
    return text.contains("${") ? environment.getProperty(key, String.class).orElse(text) : text;
  }

  private static String origin(PropertySource source, String raw, boolean variables) {
    if (variables) {
      return "environment variable " + raw;
    }
    String name = source.getName();
    if (name.equals("system") || name.contains("system")) {
      return "system property";
    }
    if (name.startsWith("application")) {
      return name + ".yml or .properties";
    }
    return "property source " + name;
  }

  /** ": did you mean X?" for the candidate nearest to {@code given}, if one is near; empty otherwise. */
  static String nearest(String given, List<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(given, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, given.length() / 6) ? "; did you mean " + best + "?" : "";
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
