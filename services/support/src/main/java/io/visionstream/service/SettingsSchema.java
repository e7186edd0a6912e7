package io.visionstream.service;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The {@code visionstream.*} settings a service understands: the namespaces it owns and, for each
 * key, what its value may be. Built from the service's {@code @ConfigurationProperties} records
 * (one key per record component, in Micronaut's kebab-case), plus any key declared by hand. Map
 * components (client properties) accept any key below them.
 */
public final class SettingsSchema {

  /** What a value may be. */
  public enum Kind {
    WHOLE_NUMBER, LONG_NUMBER, DECIMAL, BOOLEAN, DURATION, TEXT, PATH, ENUM, MAP,
    /** One of the allowed values, exactly as written (e.g. Kafka's {@code exactly_once_v2}). */
    CHOICE
  }

  /** One key: its kind and, for enums, the values allowed (in the form the docs write them). */
  public record Key(String name, Kind kind, List<String> allowed) {}

  private final String service;
  private final Set<String> namespaces = new TreeSet<>();
  private final Map<String, Key> keys = new LinkedHashMap<>();

  private String kafkaClientConfigPrefix;

  private SettingsSchema(String service) {
    this.service = service;
  }

  /** A schema for the service named in messages, e.g. {@code classifier}. */
  public static SettingsSchema of(String service) {
    return new SettingsSchema(service);
  }

  /** Keys under {@code namespace} (e.g. {@code visionstream.classifier}) belong to this service: an unknown one is an error. */
  public SettingsSchema owns(String... namespace) {
    namespaces.addAll(Arrays.asList(namespace));
    return this;
  }

  /** Every component of a {@code @ConfigurationProperties} record, under the record's prefix. */
  public SettingsSchema record(Class<? extends Record> type) {
    ConfigurationProperties properties = type.getAnnotation(ConfigurationProperties.class);
    if (properties == null) {
      throw new IllegalArgumentException(type + " is not a @ConfigurationProperties record");
    }
    for (RecordComponent component : type.getRecordComponents()) {
      String name = properties.value() + "." + kebab(component.getName());
      keys.put(name, keyOf(name, component.getType(), component.getGenericType()));
    }
    return this;
  }

  /**
   * The service reads {@code visionstream.kafka.client-config}, a Kafka client properties file
   * whose entries go under {@code prefix} (where the service takes Kafka client properties, e.g.
   * {@code kafka.} or {@code visionstream.kafka.properties.}).
   */
  public SettingsSchema kafkaClientConfig(String prefix) {
    key(KafkaClientConfigFile.KEY, Kind.PATH);
    this.kafkaClientConfigPrefix = prefix;
    return this;
  }

  /** Where the entries of {@code visionstream.kafka.client-config} go; empty if the service does not read one. */
  Optional<String> kafkaClientConfigPrefix() {
    return Optional.ofNullable(kafkaClientConfigPrefix);
  }

  /** A key declared by hand (for values read with {@code @Value}). */
  public SettingsSchema key(String name, Kind kind, String... allowed) {
    keys.put(name, new Key(name, kind, List.of(allowed)));
    return this;
  }

  public String service() {
    return service;
  }

  Set<String> namespaces() {
    return namespaces;
  }

  Map<String, Key> keys() {
    return keys;
  }

  /** The key {@code name} is, or the map key it lies under; null if none. */
  Key find(String name) {
    Key exact = keys.get(name);
    if (exact != null) {
      return exact;
    }
    for (Key key : keys.values()) {
      if (key.kind() == Kind.MAP && name.startsWith(key.name() + ".")) {
        return key;
      }
    }
    return null;
  }

  private static Key keyOf(String name, Class<?> type, Type generic) {
    if (type.isEnum()) {
      List<String> allowed = Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()
          .toLowerCase(Locale.ROOT).replace('_', '-')).toList();
      return new Key(name, Kind.ENUM, allowed);
    }
    if (type == int.class || type == Integer.class) {
      return new Key(name, Kind.WHOLE_NUMBER, List.of());
    }
    if (type == long.class || type == Long.class) {
      return new Key(name, Kind.LONG_NUMBER, List.of());
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
      return new Key(name, Kind.DECIMAL, List.of());
    }
    if (type == boolean.class || type == Boolean.class) {
      return new Key(name, Kind.BOOLEAN, List.of());
    }
    if (type == Duration.class) {
      return new Key(name, Kind.DURATION, List.of());
    }
    if (type == Path.class) {
      return new Key(name, Kind.PATH, List.of());
    }
    if (Map.class.isAssignableFrom(type) || (generic instanceof ParameterizedType p && p.getRawType() == Map.class)) {
      return new Key(name, Kind.MAP, List.of());
    }
    return new Key(name, Kind.TEXT, List.of());
  }

  /** {@code maxBatchSize} → {@code max-batch-size}. */
  static String kebab(String camel) {
    StringBuilder out = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The known keys, for messages. */
  List<String> names() {
    return new ArrayList<>(keys.keySet());
  }

  @Override
  public String toString() {
    return keys.values().stream().map(Key::name).collect(Collectors.joining(", "));
  }
}
