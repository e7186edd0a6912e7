package io.visionstream.service;

import java.util.Map;

/**
 * Kafka client and Streams properties given as environment variables. Micronaut reads
 * {@code VISIONSTREAM_KAFKA_CONSUMER_SESSION_TIMEOUT_MS} as every spelling of its key
 * ({@code session.timeout.ms}, {@code session-timeout.ms}, {@code session.timeout-ms}, ...), and a map
 * bound from it holds them all; Kafka's own names use dots only, so the client would log the others
 * as supplied but unused. A spelling with '-' is dropped when its all-dots form is there too; any
 * other key is kept as given, so a misspelt one still reaches Kafka and is reported by it.
 */
public final class KafkaPropertyNames {

  private KafkaPropertyNames() {}

  /** Removes from {@code properties} every key with '-' whose all-dots spelling is also a key. */
  public static <V> void dropVariantSpellings(Map<? super String, V> properties) {
    properties.keySet().removeIf(key -> key instanceof String name && name.indexOf('-') >= 0
        && properties.containsKey(name.replace('-', '.')));
  }
}
