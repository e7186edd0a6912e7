package io.visionstream.service;

import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@value #KEY}: a Kafka client properties file (security protocol, SASL login, trust store; as
 * {@code deploy/local/kafka-broker start --secure} writes one per user and a Kubernetes Secret
 * mounts one) whose entries the service passes to every Kafka client it makes, as if each were
 * set under the service's Kafka prefix. Secrets stay in the file: never printed, never in a
 * variable. A file that cannot be read, or an entry also set another way, stops start-up.
 */
final class KafkaClientConfigFile {

  static final String KEY = "visionstream.kafka.client-config";

  /** The file's entries as a property source, or the problems with it. */
  record Loaded(Optional<PropertySource> source, List<SettingsProblem> problems) {}

  private KafkaClientConfigFile() {}

  /** Reads the file {@code environment} names, if any, mapping each entry under {@code prefix}. */
  static Loaded load(Environment environment, String prefix) {
    Optional<String> path = environment.getProperty(KEY, String.class).filter(p -> !p.isBlank());
    if (path.isEmpty()) {
      return new Loaded(Optional.empty(), List.of());
    }
    Properties file = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(path.get()))) {
      file.load(reader);
    } catch (IOException | RuntimeException e) {
      return new Loaded(Optional.empty(), List.of(new SettingsProblem(KEY, path.get(), "the file named",
          "allowed: a readable Kafka client properties file (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")")));
    }
    Map<String, Object> entries = new LinkedHashMap<>();
    List<SettingsProblem> problems = new ArrayList<>();
    for (String name : file.stringPropertyNames()) {
      String key = prefix + name;
      if (environment.containsProperty(key)) {
        problems.add(new SettingsProblem(key, environment.getProperty(key, String.class).orElse(""), "set also in " + path.get(),
            "allowed: one place for each Kafka property; remove it from the file or from the other setting"));
      }
      entries.put(key, file.getProperty(name));
    }
    if (!problems.isEmpty()) {
      return new Loaded(Optional.empty(), problems);
    }
    return new Loaded(Optional.of(PropertySource.of("kafka-client-config", entries)), List.of());
  }
}
