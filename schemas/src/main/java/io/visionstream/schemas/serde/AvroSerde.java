package io.visionstream.schemas.serde;

import java.util.Map;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** {@link AvroSerializer} and {@link AvroDeserializer} for one record type. */
public final class AvroSerde<T extends GenericContainer> implements Serde<T> {

  private final AvroSerializer<T> serializer = new AvroSerializer<>();
  private final AvroDeserializer<T> deserializer;

  AvroSerde(AvroDeserializer<T> deserializer) {
    this.deserializer = deserializer;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
