package io.visionstream.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated or generic) in single-object encoding, with each record's own
 * schema as the writer schema. Needs no configuration; thread-safe. A {@code null} value is written
 * as a {@code null} payload (a Kafka tombstone).
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

  private final Map<Schema, BinaryMessageEncoder<T>> encoders = new ConcurrentHashMap<>();

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    Schema schema = record.getSchema();
    try {
      ByteBuffer encoded = encoders.computeIfAbsent(schema, s -> new BinaryMessageEncoder<>(modelOf(record), s))
          .encode(record);
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic '" + topic + "': "
          + e.getMessage(), e);
    }
  }

  private static GenericData modelOf(GenericContainer record) {
    return record instanceof SpecificRecord ? SpecificData.getForClass(record.getClass()) : GenericData.get();
  }
}
