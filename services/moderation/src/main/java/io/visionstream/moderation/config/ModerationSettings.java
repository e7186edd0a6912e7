package io.visionstream.moderation.config;

import io.visionstream.service.SettingsSchema;

/** Every setting the moderation service understands, for {@link io.visionstream.service.StrictSettings}. */
public final class ModerationSettings {

  /**
   * {@code visionstream.moderation.*}, {@code visionstream.tagging.*}, {@code visionstream.streams.*}
   * and {@code visionstream.kafka.client-config} (its only key under {@code visionstream.kafka}).
   */
  public static final SettingsSchema SCHEMA = SettingsSchema.of("moderation service")
      .owns(ModerationConfig.PREFIX, TaggingConfig.PREFIX, "visionstream.streams", "visionstream.kafka")
      .record(ModerationConfig.class).record(TaggingConfig.class)
      .key("visionstream.streams.processing-guarantee", SettingsSchema.Kind.CHOICE, "exactly_once_v2", "at_least_once")
      .key("visionstream.streams.state-dir", SettingsSchema.Kind.PATH)
      .kafkaClientConfig("kafka.");

  /** What {@code --help} prints. */
  public static final String USAGE = """
      Usage: deploy/local/moderation [--help]
             deploy/local/moderation policy put|get|list|delete ... (see: policy --help)
      Runs the visionstream moderation and tagging service: predictions from Kafka, decisions and tags to Kafka.
      Settings are properties, never arguments: environment variables (KAFKA_BOOTSTRAP_SERVERS=...,
      VISIONSTREAM_TAGGING_WINDOW_SIZE=30s), system properties in VISIONSTREAM_JAVA_OPTS or application.yml.
      Every key with its default: services/moderation/README.md, "Errors, guarantees, operations". The most used:
        kafka.bootstrap.servers                         127.0.0.1:9092
        visionstream.kafka.client-config                Kafka client properties file (SASL_SSL login, trust store)
        visionstream.moderation.policies                moderation-policies
        visionstream.streams.processing-guarantee       exactly_once_v2 | at_least_once
        visionstream.tagging.window-size                1m
        visionstream.tagging.query-token-file           a token tag queries must present (optional)
        micronaut.server.port                           8083: tag queries, status-only /health
        endpoints.all.port                              8082: /health with details, /prometheus
        micronaut.server.host                           127.0.0.1 (both ports)
      Exit codes: 143 stopped by SIGTERM, 1 failed to start, 2 invalid settings or usage, 0 after --help.""";

  private ModerationSettings() {}
}
