package io.visionstream.deploy;

import io.visionstream.classifier.config.ClassifierSettings;
import io.visionstream.moderation.config.ModerationSettings;
import io.visionstream.service.SettingsSchema;
import io.visionstream.service.StrictSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What a service makes of the environment variables a deployment gives it: each must be a setting
 * the service reads (its settings schema, or a Kafka client or Streams property under the prefix it
 * passes to Kafka), a variable of the image (JAVA_OPTS) or Micronaut's server address, or a helper
 * another variable uses as $(NAME). Anything else would be ignored without a word.
 */
enum ServiceVariables {

  CLASSIFIER(ClassifierSettings.SCHEMA) {
    @Override
    Optional<String> kafkaProperty(String variable) {
      for (String map : List.of("PROPERTIES", "CONSUMER", "PRODUCER")) {
        String prefix = "VISIONSTREAM_KAFKA_" + map + "_";
        if (variable.startsWith(prefix)) {
          String property = dotted(variable.substring(prefix.length()));
          Set<String> known = switch (map) {
            case "CONSUMER" -> ConsumerConfig.configNames();
            case "PRODUCER" -> ProducerConfig.configNames();
            default -> union(ConsumerConfig.configNames(), ProducerConfig.configNames());
          };
          return known.contains(property) ? Optional.of(property) : Optional.of("?" + property);
        }
      }
      return Optional.empty();
    }
  },

  MODERATION(ModerationSettings.SCHEMA) {
    @Override
    Optional<String> kafkaProperty(String variable) {
      if (!variable.startsWith("KAFKA_")) {
        return Optional.empty();
      }
      for (String stream : List.of("KAFKA_STREAMS_DEFAULT_", "KAFKA_STREAMS_TAGGING_")) {
        if (variable.startsWith(stream)) {
          String property = dotted(variable.substring(stream.length()));
          return STREAMS.contains(property) ? Optional.of(property) : Optional.of("?" + property);
        }
      }
      String property = dotted(variable.substring("KAFKA_".length()));
      return STREAMS.contains(property) ? Optional.of(property) : Optional.of("?" + property);
    }
  };

  /** What Kafka Streams accepts: its own properties and those of the clients it makes. */
  private static final Set<String> STREAMS = union(union(StreamsConfig.configDef().names(), ConsumerConfig.configNames()),
      union(ProducerConfig.configNames(), AdminClientConfig.configNames()));
  private static final Set<String> OTHERS = Set.of("JAVA_OPTS", "MICRONAUT_SERVER_HOST", "MICRONAUT_SERVER_PORT",
      "ENDPOINTS_ALL_PORT");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  final SettingsSchema schema;

  ServiceVariables(SettingsSchema schema) {
    this.schema = schema;
  }

  /** The Kafka property a variable sets ("?name" when Kafka has no such property), or empty if it sets none. */
  abstract Optional<String> kafkaProperty(String variable);

  /**
   * The variables of {@code env} (name → value as written, $(NAME) references unexpanded) the
   * service would not read, each with the reason.
   */
  List<String> unread(Map<String, String> env) {
    Set<String> referenced = new HashSet<>();
    env.values().forEach(v -> REFERENCE.matcher(v).results().forEach(m -> referenced.add(m.group(1))));
    List<String> problems = new ArrayList<>();
    for (String name : env.keySet()) {
      Optional<String> kafka = kafkaProperty(name);
      if (kafka.isPresent()) {
        if (kafka.get().startsWith("?")) {
          problems.add(name + ": Kafka has no property " + kafka.get().substring(1));
        }
      } else if (name.startsWith("VISIONSTREAM_")) {
        if (StrictSettings.settingOf(name, schema).isEmpty()) {
          problems.add(name + ": the " + schema.service() + " has no such setting");
        }
      } else if (!OTHERS.contains(name) && !referenced.contains(name)) {
        problems.add(name + ": neither a setting of the " + schema.service() + " nor used by another variable");
      }
    }
    return problems;
  }

  /** SESSION_TIMEOUT_MS → session.timeout.ms */
  static String dotted(String variablePart) {
    return variablePart.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
