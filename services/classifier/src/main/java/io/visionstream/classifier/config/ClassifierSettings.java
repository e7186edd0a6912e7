package io.visionstream.classifier.config;

import io.visionstream.service.SettingsSchema;

/** Every setting the classifier service understands, for {@link io.visionstream.service.StrictSettings}. */
public final class ClassifierSettings {

  /** The keys under {@code visionstream.classifier} and {@code visionstream.kafka}, from the configuration records. */
  public static final SettingsSchema SCHEMA = SettingsSchema.of("classifier")
      .owns("visionstream.classifier", KafkaClientsConfig.PREFIX)
      .record(TopicsConfig.class).record(BatchingConfig.class).record(BackpressureConfig.class).record(LoadPolicyConfig.class)
      .record(DeliveryConfig.class).record(LimitsConfig.class).record(FaultsConfig.class).record(ModelConfig.class)
      .record(KafkaClientsConfig.class)
      .key(ModelConfig.PREFIX + ".preprocessing", SettingsSchema.Kind.CHOICE, "torchvision", "caffe")
      .kafkaClientConfig(KafkaClientsConfig.PREFIX + ".properties.");

  /** What {@code --help} prints. */
  public static final String USAGE = """
      Usage: deploy/local/classifier [--help]
      Runs the visionstream classifier service: image events from Kafka, predictions to Kafka.
      Settings are properties, never arguments: environment variables (VISIONSTREAM_CLASSIFIER_MODEL_DIR=...),
      system properties in VISIONSTREAM_JAVA_OPTS (-Dvisionstream.classifier.model.dir=...) or application.yml.
      Every key with its default: services/classifier/README.md, "Configuration". The most used:
        visionstream.kafka.bootstrap-servers            127.0.0.1:9092
        visionstream.kafka.client-config                Kafka client properties file (SASL_SSL login, trust store)
        visionstream.classifier.model.dir               SavedModel directory (required)
        visionstream.classifier.topics.input            image-events
        visionstream.classifier.delivery.guarantee      at-least-once | exactly-once
        visionstream.classifier.load.policy             never-drop | drop-stale
        visionstream.classifier.batching.max-batch-size 16
        visionstream.classifier.faults.give-up-after    5m
      Health with details on http://127.0.0.1:8081/health, metrics on /prometheus (endpoints.all.port);
      a status-only /health on micronaut.server.port 8080. Both bind to micronaut.server.host, 127.0.0.1.
      Exit codes: 143 stopped by SIGTERM, 1 failed, 2 invalid settings or usage, 0 after --help.""";

  private ClassifierSettings() {}
}
