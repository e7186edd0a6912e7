package io.visionstream.classifier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PipelineSettingsTest {

  static final long DECODED = 224L * 224 * 3 * 4;

  static PipelineSettings defaults() {
    return TestSettings.defaults();
  }

  @Test
  void defaultsAreValid() {
    assertThat(defaults().validate(DECODED)).isNotNull();
  }

  @Test
  void everyBadValueIsNamedWithItsKey() {
    PipelineSettings d = defaults();
    PipelineSettings bad = new PipelineSettings(new TopicsConfig("image-events", "image-events", "dlq"),
        new BatchingConfig(0, Duration.ofSeconds(30), 1, 8), new BackpressureConfig(128, 256L << 20, 1.5), d.load(),
        d.delivery(), d.limits(), new FaultsConfig(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(1), d.faults().stallTimeout()));
    InvalidSettingsException e = catchThrowableOfType(InvalidSettingsException.class, () -> bad.validate(DECODED));
    assertThat(e.problems()).anyMatch(p -> p.startsWith("visionstream.classifier.topics.input must differ"))
        .anyMatch(p -> p.startsWith("visionstream.classifier.batching.max-batch-size must be positive (got 0)"))
        .anyMatch(p -> p.startsWith("visionstream.classifier.batching.max-batch-wait must be between PT0S and PT10S (got PT30S)"))
        .anyMatch(p -> p.startsWith("visionstream.classifier.backpressure.resume-ratio must be between 0 and 1"))
        .anyMatch(p -> p.startsWith("visionstream.classifier.faults.give-up-after must be between PT1S and PT24H (got PT0S)"))
        .anyMatch(p -> p.startsWith("visionstream.classifier.faults.max-backoff (PT1S) must be at least .initial-backoff (PT2S)"));
  }

  @Test
  void crossKeyRulesNameBothKeys() {
    PipelineSettings d = defaults();
    PipelineSettings small = new PipelineSettings(d.topics(), new BatchingConfig(32, Duration.ofMillis(50), 1, 8),
        new BackpressureConfig(16, 1 << 20, 0.5), new LoadPolicyConfig(LoadPolicy.DROP_STALE, Duration.ofMillis(20)),
        d.delivery(), d.limits(), d.faults());
    assertThatThrownBy(() -> small.validate(DECODED))
        .hasMessageContaining("visionstream.classifier.backpressure.max-in-flight-records (16) must be at least "
            + "visionstream.classifier.batching.max-batch-size (32)")
        .hasMessageContaining("visionstream.classifier.backpressure.max-in-flight-bytes (1048576) must hold "
            + "visionstream.classifier.batching.max-batch-size (32) records of visionstream.classifier.limits.max-record-bytes")
        .hasMessageContaining("visionstream.classifier.load.max-frame-age (PT0.02S) must exceed "
            + "visionstream.classifier.batching.max-batch-wait (PT0.05S)");
  }

  @Test
  void exactlyOnceWithoutATransactionalIdDerivesOneFromTheHostName() {
    DeliveryConfig derived = TestSettings.delivery(DeliveryGuarantee.EXACTLY_ONCE, "g", " ");
    assertThat(derived.effectiveTransactionalId()).startsWith(DeliveryConfig.TRANSACTIONAL_ID_PREFIX)
        .hasSizeGreaterThan(DeliveryConfig.TRANSACTIONAL_ID_PREFIX.length());
    assertThat(TestSettings.delivery(DeliveryGuarantee.EXACTLY_ONCE, "g", "classifier-7").effectiveTransactionalId())
        .isEqualTo("classifier-7");
  }
}
