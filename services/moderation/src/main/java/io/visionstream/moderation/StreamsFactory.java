package io.visionstream.moderation;

import io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.visionstream.moderation.config.ModerationConfig;
import io.visionstream.moderation.config.TaggingConfig;
import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.moderation.topology.ModerationTopology;
import io.visionstream.moderation.topology.TaggingTopology;
import io.visionstream.schemas.CameraTags;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.service.KafkaPropertyNames;
import io.visionstream.service.tracing.Tracing;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The two Kafka Streams applications of this service, each built by its topology's static method
 * on the builder micronaut-kafka-streams configures from {@code kafka.streams.<name>.*}:
 * {@code kafka.streams.default.*} for moderation, {@code kafka.streams.tagging.*} for tagging.
 */
@Factory
public class StreamsFactory {

  /**
   * Name of the moderation application's builder: micronaut-kafka-streams always runs a stream
   * named "default" (from {@code kafka.streams.default.*}), so moderation is that one.
   */
  public static final String MODERATION = "default";
  public static final String TAGGING = "tagging";

  /** The state of this instance's policy table, for health and metrics. */
  @Singleton
  PolicyTable policyTable() {
    return new PolicyTable();
  }

  /** The moderation topology, after making sure the policy topics it writes exist. */
  @Singleton
  @Named(MODERATION)
  KStream<String, ModerationDecision> moderation(@Named(MODERATION) ConfiguredStreamBuilder builder, ModerationConfig config,
      PolicyTable table, ModerationMetrics metrics, Tracing tracing) {
    KafkaPropertyNames.dropVariantSpellings(builder.getConfiguration());
    ModerationTopology.Topics topics = config.topics();
    StreamsConfig streams = new StreamsConfig(builder.getConfiguration());
    int replication = streams.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG);
    PolicyTopics.ensure(streams.getAdminConfigs("visionstream-moderation-setup"), topics,
        replication > 0 ? Optional.of((short) replication) : Optional.empty());
    return ModerationTopology.build(builder, topics, Clock.systemUTC(), table, metrics, tracing);
  }

  /**
   * The tagging application advertises this instance's HTTP address as {@code application.server},
   * so that any instance can route a tag query to the one holding the source's windows.
   */
  @Singleton
  @Named(TAGGING)
  KStream<String, CameraTags> tagging(@Named(TAGGING) ConfiguredStreamBuilder builder, TaggingConfig config,
      @Value("${micronaut.server.host:127.0.0.1}") String host, @Nullable @Value("${micronaut.server.port:8082}") Integer port) {
    KafkaPropertyNames.dropVariantSpellings(builder.getConfiguration());
    if (!builder.getConfiguration().containsKey(StreamsConfig.APPLICATION_SERVER_CONFIG) && port != null && port > 0) {
      builder.getConfiguration().put(StreamsConfig.APPLICATION_SERVER_CONFIG, host + ":" + port);
    }
    return TaggingTopology.build(builder, config.settings());
  }
}
