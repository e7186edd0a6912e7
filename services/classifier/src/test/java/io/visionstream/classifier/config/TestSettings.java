package io.visionstream.classifier.config;

import java.time.Duration;

/** Pipeline settings for tests: the documented defaults, with one concern replaced at a time. */
public final class TestSettings {

  private TestSettings() {}

  public static PipelineSettings defaults() {
    return new PipelineSettings(TopicsConfig.defaults(),
        new BatchingConfig(BatchingConfig.DEFAULT_MAX_BATCH_SIZE, Duration.ofMillis(50), BatchingConfig.DEFAULT_DECODE_THREADS,
            BatchingConfig.DEFAULT_DECODE_BATCH_SIZE),
        new BackpressureConfig(BackpressureConfig.DEFAULT_MAX_IN_FLIGHT_RECORDS, BackpressureConfig.DEFAULT_MAX_IN_FLIGHT_BYTES,
            BackpressureConfig.DEFAULT_RESUME_RATIO),
        new LoadPolicyConfig(LoadPolicy.NEVER_DROP, Duration.ofSeconds(2)),
        new DeliveryConfig(DeliveryGuarantee.AT_LEAST_ONCE, DeliveryConfig.DEFAULT_GROUP_ID, DeliveryConfig.DEFAULT_TRANSACTIONAL_ID,
            Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60)),
        new LimitsConfig(LimitsConfig.DEFAULT_MAX_RECORD_BYTES, LimitsConfig.DEFAULT_MAX_PIXELS, LimitsConfig.DEFAULT_MAX_DEAD_LETTER_BYTES),
        FaultsConfig.defaults());
  }

  public static PipelineSettings with(PipelineSettings s, TopicsConfig topics) {
    return new PipelineSettings(topics, s.batching(), s.backpressure(), s.load(), s.delivery(), s.limits(), s.faults());
  }

  public static PipelineSettings with(PipelineSettings s, BatchingConfig batching) {
    return new PipelineSettings(s.topics(), batching, s.backpressure(), s.load(), s.delivery(), s.limits(), s.faults());
  }

  public static PipelineSettings with(PipelineSettings s, BackpressureConfig backpressure) {
    return new PipelineSettings(s.topics(), s.batching(), backpressure, s.load(), s.delivery(), s.limits(), s.faults());
  }

  public static PipelineSettings with(PipelineSettings s, LoadPolicyConfig load) {
    return new PipelineSettings(s.topics(), s.batching(), s.backpressure(), load, s.delivery(), s.limits(), s.faults());
  }

  public static PipelineSettings with(PipelineSettings s, DeliveryConfig delivery) {
    return new PipelineSettings(s.topics(), s.batching(), s.backpressure(), s.load(), delivery, s.limits(), s.faults());
  }

  public static PipelineSettings with(PipelineSettings s, LimitsConfig limits) {
    return new PipelineSettings(s.topics(), s.batching(), s.backpressure(), s.load(), s.delivery(), limits, s.faults());
  }

  public static PipelineSettings with(PipelineSettings s, FaultsConfig faults) {
    return new PipelineSettings(s.topics(), s.batching(), s.backpressure(), s.load(), s.delivery(), s.limits(), faults);
  }

  public static DeliveryConfig delivery(DeliveryGuarantee guarantee, String groupId, String transactionalId) {
    return new DeliveryConfig(guarantee, groupId, transactionalId, Duration.ofMillis(200), Duration.ofSeconds(10),
        Duration.ofSeconds(20), Duration.ofSeconds(60));
  }
}
