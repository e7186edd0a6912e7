package io.visionstream.moderation.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.visionstream.moderation.topology.ModerationTopology;

/**
 * Topics of the moderation topology.
 *
 * @param predictions the classifier's predictions
 * @param policies compacted ModerationPolicy topic keyed by source id ({@code __default__} for the rest)
 * @param acceptedPolicies compacted topic written by this service alone: the valid policy that applies
 *     to each source; the policy table is built from it (created at start-up when missing)
 * @param rejectedPolicies rejected policy records, with a header per problem (created at start-up when missing)
 * @param decisions every decision
 * @param review REVIEW, BLOCK and NOT_CLASSIFIED decisions, for people to act on
 * @param deadLetters unreadable predictions and records whose judging failed, original bytes plus error headers
 * @param classifierDeadLetters the classifier's dead-letter topic: its images get NOT_CLASSIFIED
 *     decisions; empty to not read it
 */
@ConfigurationProperties(ModerationConfig.PREFIX)
public record ModerationConfig(
    @Bindable(defaultValue = "predictions") String predictions,
    @Bindable(defaultValue = "moderation-policies") String policies,
    @Bindable(defaultValue = "moderation-policies.accepted") String acceptedPolicies,
    @Bindable(defaultValue = "moderation-policies.rejected") String rejectedPolicies,
    @Bindable(defaultValue = "moderation-decisions") String decisions,
    @Bindable(defaultValue = "moderation-review") String review,
    @Bindable(defaultValue = "moderation.dlq") String deadLetters,
    @Nullable @Bindable(defaultValue = "image-events.dlq") String classifierDeadLetters) {

  public static final String PREFIX = "visionstream.moderation";

  public ModerationTopology.Topics topics() {
    String classifierDlq = classifierDeadLetters == null || classifierDeadLetters.isBlank() ? null : classifierDeadLetters;
    return new ModerationTopology.Topics(predictions, policies, acceptedPolicies, rejectedPolicies, decisions, review,
        deadLetters, classifierDlq);
  }
}
