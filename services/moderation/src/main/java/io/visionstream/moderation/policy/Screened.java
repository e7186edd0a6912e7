package io.visionstream.moderation.policy;

/**
 * A record the policy screen writes for one record of the policies topic.
 *
 * @param rejected true for the rejected record itself (to the rejected-policies topic); false for
 *     the policy that now applies to the key (to the accepted-policies topic; null: none of its own)
 * @param value the record's value
 */
public record Screened(boolean rejected, byte[] value) {}
