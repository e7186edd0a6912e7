package io.visionstream.classifier.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the classifier pipeline is configured with, checked as a whole at start-up: each
 * value on its own, and the rules that tie keys together.
 */
public record PipelineSettings(TopicsConfig topics, BatchingConfig batching, BackpressureConfig backpressure,
    LoadPolicyConfig load, DeliveryConfig delivery, LimitsConfig limits, FaultsConfig faults) {

  /**
   * @param decodedBytesPerImage size of one preprocessed model input, which each in-flight record may hold
   * @throws InvalidSettingsException listing every problem, each naming its key(s) and the fix
   */
  public PipelineSettings validate(long decodedBytesPerImage) {
    List<String> problems = new ArrayList<>();
    notBlank(problems, TopicsConfig.PREFIX + ".input", topics.input());
    notBlank(problems, TopicsConfig.PREFIX + ".predictions", topics.predictions());
    notBlank(problems, TopicsConfig.PREFIX + ".dead-letters", topics.deadLetters());
    if (topics.input().equals(topics.predictions()) || topics.input().equals(topics.deadLetters())) {
      problems.add(TopicsConfig.PREFIX + ".input must differ from .predictions and .dead-letters (got '" + topics.input()
          + "'): the classifier would read its own output");
    }
    positive(problems, BatchingConfig.PREFIX + ".max-batch-size", batching.maxBatchSize());
    positive(problems, BatchingConfig.PREFIX + ".decode-threads", batching.decodeThreads());
    positive(problems, BatchingConfig.PREFIX + ".decode-batch-size", batching.decodeBatchSize());
    between(problems, BatchingConfig.PREFIX + ".max-batch-wait", batching.maxBatchWait(), Duration.ZERO, Duration.ofSeconds(10));
    positive(problems, BackpressureConfig.PREFIX + ".max-in-flight-records", backpressure.maxInFlightRecords());
    positive(problems, BackpressureConfig.PREFIX + ".max-in-flight-bytes", backpressure.maxInFlightBytes());
    if (!(backpressure.resumeRatio() > 0 && backpressure.resumeRatio() < 1)) {
      problems.add(BackpressureConfig.PREFIX + ".resume-ratio must be between 0 and 1 exclusive (got "
          + backpressure.resumeRatio() + "); 0.5 resumes at half the budget");
    }
    if (backpressure.maxInFlightRecords() > 0 && backpressure.maxInFlightRecords() < batching.maxBatchSize()) {
      problems.add(BackpressureConfig.PREFIX + ".max-in-flight-records (" + backpressure.maxInFlightRecords()
          + ") must be at least " + BatchingConfig.PREFIX + ".max-batch-size (" + batching.maxBatchSize()
          + "), or batches could never fill");
    }
    long perRecord = limits.maxRecordBytes() + decodedBytesPerImage;
    if (backpressure.maxInFlightBytes() < (long) batching.maxBatchSize() * perRecord) {
      problems.add(BackpressureConfig.PREFIX + ".max-in-flight-bytes (" + backpressure.maxInFlightBytes() + ") must hold "
          + BatchingConfig.PREFIX + ".max-batch-size (" + batching.maxBatchSize() + ") records of "
          + LimitsConfig.PREFIX + ".max-record-bytes (" + limits.maxRecordBytes() + ") plus their decoded input ("
          + decodedBytesPerImage + " bytes each): at least " + (long) batching.maxBatchSize() * perRecord);
    }
    if (load.policy() == LoadPolicy.DROP_STALE) {
      between(problems, LoadPolicyConfig.PREFIX + ".max-frame-age", load.maxFrameAge(), Duration.ofMillis(1), Duration.ofDays(1));
      if (load.maxFrameAge().compareTo(batching.maxBatchWait()) <= 0) {
        problems.add(LoadPolicyConfig.PREFIX + ".max-frame-age (" + load.maxFrameAge() + ") must exceed "
            + BatchingConfig.PREFIX + ".max-batch-wait (" + batching.maxBatchWait() + "), or frames would go stale while waiting for a batch");
      }
    }
    notBlank(problems, DeliveryConfig.PREFIX + ".group-id", delivery.groupId());
    between(problems, DeliveryConfig.PREFIX + ".commit-interval", delivery.commitInterval(), Duration.ofMillis(1), Duration.ofMinutes(5));
    between(problems, DeliveryConfig.PREFIX + ".revocation-timeout", delivery.revocationTimeout(), Duration.ZERO, Duration.ofMinutes(5));
    between(problems, DeliveryConfig.PREFIX + ".shutdown-timeout", delivery.shutdownTimeout(), Duration.ZERO, Duration.ofMinutes(10));
    between(problems, DeliveryConfig.PREFIX + ".startup-timeout", delivery.startupTimeout(), Duration.ofSeconds(1), Duration.ofHours(1));
    between(problems, FaultsConfig.PREFIX + ".give-up-after", faults.giveUpAfter(), Duration.ofSeconds(1), Duration.ofDays(1));
    between(problems, FaultsConfig.PREFIX + ".initial-backoff", faults.initialBackoff(), Duration.ofMillis(1), Duration.ofMinutes(1));
    between(problems, FaultsConfig.PREFIX + ".max-backoff", faults.maxBackoff(), Duration.ofMillis(1), Duration.ofMinutes(10));
    between(problems, FaultsConfig.PREFIX + ".stall-timeout", faults.stallTimeout(), Duration.ofSeconds(1), Duration.ofHours(1));
    if (faults.maxBackoff() != null && faults.initialBackoff() != null && faults.maxBackoff().compareTo(faults.initialBackoff()) < 0) {
      problems.add(FaultsConfig.PREFIX + ".max-backoff (" + faults.maxBackoff() + ") must be at least .initial-backoff ("
          + faults.initialBackoff() + ")");
    }
    positive(problems, LimitsConfig.PREFIX + ".max-record-bytes", limits.maxRecordBytes());
    positive(problems, LimitsConfig.PREFIX + ".max-pixels", limits.maxPixels());
    if (limits.maxDeadLetterBytes() < 1024) {
      problems.add(LimitsConfig.PREFIX + ".max-dead-letter-bytes must be at least 1024 (got " + limits.maxDeadLetterBytes() + ")");
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return this;
  }

  private static void notBlank(List<String> problems, String key, String value) {
    if (value == null || value.isBlank()) {
      problems.add(key + " must not be empty");
    }
  }

  private static void positive(List<String> problems, String key, long value) {
    if (value <= 0) {
      problems.add(key + " must be positive (got " + value + ")");
    }
  }

  private static void between(List<String> problems, String key, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      problems.add(key + " must be between " + min + " and " + max + " (got " + value + ")");
    }
  }
}
