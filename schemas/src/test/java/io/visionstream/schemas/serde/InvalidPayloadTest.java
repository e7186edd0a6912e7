package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** Every kind of unreadable payload gives a typed exception that says what was wrong. */
class InvalidPayloadTest {

  private final Random random = new Random(3);
  private final Deserializer<ImageEvent> deserializer = AvroSerdes.imageEvent().deserializer();
  private final ImageEvent event = TestRecords.imageEvent(random, TestRecords.jpeg(random, 32, 24), ContentType.JPEG);
  private final byte[] valid = AvroSerdes.imageEvent().serializer().serialize("image-events", event);

  @Test
  void jsonTextIsNotAvroAndTheMessageShowsTheText() {
    byte[] json = "{\"event_id\": \"x\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> deserializer.deserialize("image-events", json))
        .isInstanceOf(NotAvroPayloadException.class)
        .hasMessageContaining("topic 'image-events'")
        .hasMessageContaining("17-byte payload")
        .hasMessageContaining("expected marker C3 01, found 7B 22")
        .hasMessageContaining("(text \"{\"event_\")");
  }

  @Test
  void emptyAndHeaderlessPayloadsAreNotAvro() {
    assertThatThrownBy(() -> deserializer.deserialize("t", new byte[0]))
        .isInstanceOf(NotAvroPayloadException.class).hasMessageContaining("an empty payload");
    assertThatThrownBy(() -> deserializer.deserialize("t", Arrays.copyOf(valid, 6)))
        .isInstanceOf(NotAvroPayloadException.class).hasMessageContaining("too short for the 10-byte single-object header");
  }

  @Test
  void unknownFingerprintIsNamedInHex() {
    byte[] bytes = valid.clone();
    bytes[2] ^= 0x5A;
    long fingerprint = SingleObjectEncoding.readFingerprint(bytes);
    UnknownSchemaException e = (UnknownSchemaException) catchThrowable(() -> deserializer.deserialize("image-events", bytes));
    assertThat(e.fingerprint()).isEqualTo(fingerprint);
    assertThat(e).hasMessageContaining("writer schema fingerprint " + SingleObjectEncoding.hex(fingerprint) + " is unknown");
    assertThat(e.topic()).isEqualTo("image-events");
  }

  @Test
  void predictionSentToTheImageTopicIsAnUnexpectedRecordType() {
    byte[] prediction = AvroSerdes.prediction().serializer().serialize("image-events", TestRecords.prediction(event));
    assertThatThrownBy(() -> deserializer.deserialize("image-events", prediction))
        .isInstanceOf(UnexpectedRecordTypeException.class)
        .hasMessageContaining("payload is a " + Prediction.getClassSchema().getFullName())
        .hasMessageContaining("expected " + ImageEvent.getClassSchema().getFullName());
  }

  @Test
  void truncatedBodyNamesTheFieldItEndsIn() {
    byte[] cut = Arrays.copyOf(valid, valid.length - 200);
    assertThatThrownBy(() -> deserializer.deserialize("image-events", cut))
        .isInstanceOf(TruncatedPayloadException.class)
        .hasMessageContaining("field 'image'")
        .hasMessageContaining("ImageEvent (writer fingerprint");
  }

  @Test
  void everyTruncationOfAValidPayloadIsRejectedWithATypedException() {
    for (int length = 0; length < valid.length; length++) {
      byte[] cut = Arrays.copyOf(valid, length);
      assertThat(catchThrowable(() -> deserializer.deserialize("t", cut)))
          .as("payload cut to %d of %d bytes", length, valid.length)
          .isInstanceOf(InvalidPayloadException.class);
    }
  }

  @Test
  void trailingBytesAreCorrupt() {
    byte[] longer = Arrays.copyOf(valid, valid.length + 3);
    assertThatThrownBy(() -> deserializer.deserialize("t", longer))
        .isInstanceOf(CorruptPayloadException.class)
        .hasMessageContaining("3 trailing bytes");
  }

  @Test
  void outOfRangeEnumIndexIsCorrupt() {
    byte[] bytes = encodeWithContentTypeIndex(17);
    assertThatThrownBy(() -> deserializer.deserialize("t", bytes))
        .isInstanceOf(CorruptPayloadException.class)
        .isNotInstanceOf(TruncatedPayloadException.class)
        .hasMessageContaining("field 'content_type'")
        .hasMessageContaining("enum ContentType symbol index 17 is outside 0..2");
  }

  @Test
  void hugeLengthPrefixIsRejectedWithoutAllocatingIt() {
    // source_id follows the 36-byte UUID string; claim a 1 GiB string there.
    byte[] bytes = Arrays.copyOf(valid, 10 + 1 + 36 + 5);
    int at = 10 + 1 + 36;
    long zigzag = (1L << 30) << 1;
    for (int i = 0; i < 5; i++) {
      bytes[at + i] = (byte) ((zigzag >>> (7 * i)) & 0x7F | (i < 4 ? 0x80 : 0));
    }
    assertThatThrownBy(() -> deserializer.deserialize("t", bytes))
        .isInstanceOf(TruncatedPayloadException.class)
        .hasMessageContaining("field 'source_id'")
        .hasMessageContaining("length 1073741824 but only 0 bytes left");
  }

  @Test
  void negativeLengthIsCorrupt() {
    byte[] bytes = valid.clone();
    bytes[10] = 0x03; // zig-zag -2 as the event_id string length
    assertThatThrownBy(() -> deserializer.deserialize("t", bytes))
        .isInstanceOf(CorruptPayloadException.class)
        .hasMessageContaining("field 'event_id'")
        .hasMessageContaining("negative length -2");
  }

  @Test
  void eventIdThatIsNotAUuidIsCorrupt() {
    Schema schema = ImageEvent.getClassSchema();
    GenericRecord record = genericEvent(schema, "not-a-uuid", 0);
    byte[] bytes = new AvroSerializer<GenericRecord>().serialize("t", record);
    assertThatThrownBy(() -> deserializer.deserialize("t", bytes))
        .isInstanceOf(CorruptPayloadException.class)
        .hasMessageContaining("field 'event_id'")
        .hasMessageContaining("'not-a-uuid' is not a UUID");
  }

  @Test
  void randomByteCorruptionNeverEscapesAsAnUntypedException() {
    Random noise = new Random(99);
    for (int trial = 0; trial < 5_000; trial++) {
      byte[] bytes = valid.clone();
      int flips = 1 + noise.nextInt(3);
      for (int f = 0; f < flips; f++) {
        int at = 10 + noise.nextInt(Math.min(120, bytes.length - 10));
        bytes[at] = (byte) noise.nextInt(256);
      }
      Throwable thrown = catchThrowable(() -> deserializer.deserialize("t", bytes));
      if (thrown != null) {
        assertThat(thrown).as("trial %d", trial).isInstanceOf(InvalidPayloadException.class);
      }
    }
  }

  @Test
  void deserializerBuiltByKafkaReadsTheConfiguredType() {
    AvroDeserializer<ImageEvent> configured = new AvroDeserializer<>();
    configured.configure(Map.of(AvroDeserializer.VALUE_TYPE_CONFIG, ImageEvent.class.getName()), false);
    assertThat(configured.deserialize("t", valid)).isEqualTo(event);
  }

  @Test
  void missingOrWrongTypeConfigNamesTheKey() {
    assertThatThrownBy(() -> new AvroDeserializer<>().configure(Map.of(), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining(AvroDeserializer.VALUE_TYPE_CONFIG);
    assertThatThrownBy(() -> new AvroDeserializer<>().configure(Map.of(AvroDeserializer.KEY_TYPE_CONFIG, "java.lang.String"), true))
        .isInstanceOf(ConfigException.class).hasMessageContaining(AvroDeserializer.KEY_TYPE_CONFIG)
        .hasMessageContaining("not a generated Avro record class");
  }

  @Test
  void unreadableExtraSchemaFileNamesTheKeyAndTheFile() {
    AvroDeserializer<ImageEvent> reader = AvroDeserializer.specific(ImageEvent.class);
    assertThatThrownBy(() -> reader.configure(Map.of(AvroDeserializer.EXTRA_SCHEMAS_CONFIG, "/nonexistent/ImageEvent-v9.avsc"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(AvroDeserializer.EXTRA_SCHEMAS_CONFIG)
        .hasMessageContaining("/nonexistent/ImageEvent-v9.avsc");
  }

  @Test
  void recordMissingARequiredFieldCannotBeSerialized() {
    GenericRecord record = genericEvent(ImageEvent.getClassSchema(), UUID.randomUUID().toString(), 0);
    record.put("source_id", null);
    assertThatThrownBy(() -> new AvroSerializer<GenericRecord>().serialize("image-events", record))
        .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
        .hasMessageContaining("cannot serialize io.visionstream.schemas.ImageEvent for topic 'image-events'")
        .hasMessageContaining("source_id");
  }

  private byte[] encodeWithContentTypeIndex(int index) {
    GenericRecord record = genericEvent(ImageEvent.getClassSchema(), event.getEventId().toString(), 0);
    byte[] bytes = new AvroSerializer<GenericRecord>().serialize("t", record);
    // Layout: header(10), uuid(1+36), source_id(1+8 "camera-N"), captured_at(varint), content_type(1), ...
    int at = 10 + 37 + 9;
    while ((bytes[at] & 0x80) != 0) {
      at++;
    }
    bytes[at + 1] = (byte) (index << 1);
    return bytes;
  }

  private static GenericRecord genericEvent(Schema schema, String eventId, int contentType) {
    GenericRecord record = new GenericData.Record(schema);
    record.put("event_id", eventId);
    record.put("source_id", "camera-1");
    record.put("captured_at", 1_790_000_000_000L);
    Schema enumSchema = schema.getField("content_type").schema();
    record.put("content_type", new GenericData.EnumSymbol(enumSchema, enumSchema.getEnumSymbols().get(contentType)));
    record.put("image", java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
    record.put("attributes", Map.of());
    return record;
  }
}
