package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Records written by other versions of a schema: older ones listed in the classpath history
 * (test resources add hypothetical earlier versions), newer ones registered by configuration.
 */
class SchemaEvolutionTest {

  private static final UUID ID = UUID.fromString("3f1c2a9e-7d4b-4c1e-9a51-0c2d7e8f9a10");
  private final Random random = new Random(11);

  @Test
  void olderImageEventWriterIsReadByTheCurrentReaderWithDefaults() throws Exception {
    Schema older = schema("/io/visionstream/schemas/history/ImageEvent-older-test.avsc");
    GenericRecord record = new GenericData.Record(older);
    record.put("event_id", ID.toString());
    record.put("source_id", "camera-1");
    record.put("captured_at", 1_790_000_000_123L);
    record.put("content_type", new GenericData.EnumSymbol(older.getField("content_type").schema(), "PNG"));
    record.put("image", ByteBuffer.wrap(new byte[] {1, 2, 3}));

    ImageEvent event = AvroSerdes.imageEvent().deserializer().deserialize("image-events", encode(record));

    assertThat(event.getEventId()).isEqualTo(ID);
    assertThat(event.getCapturedAt()).isEqualTo(Instant.ofEpochMilli(1_790_000_000_123L));
    assertThat(event.getContentType()).isEqualTo(ContentType.PNG);
    assertThat(event.getImage().array()).containsExactly(1, 2, 3);
    assertThat(event.getAttributes()).isEmpty();
  }

  @Test
  void olderPredictionWithoutStatusReadsAsClassified() throws Exception {
    Schema older = schema("/io/visionstream/schemas/history/Prediction-older-test.avsc");
    Prediction current = TestRecords.prediction(TestRecords.imageEvent(random, new byte[] {1}, ContentType.JPEG));
    byte[] written = encodeAs(current, older);

    Prediction read = AvroSerdes.prediction().deserializer().deserialize("predictions", written);

    assertThat(read.getStatus()).isEqualTo(PredictionStatus.CLASSIFIED);
    assertThat(read.getTopK()).isEqualTo(current.getTopK());
    assertThat(read.getEventId()).isEqualTo(current.getEventId());
  }

  @Test
  void currentWriterIsReadByAnOlderReader() throws Exception {
    Schema older = schema("/io/visionstream/schemas/history/ImageEvent-older-test.avsc");
    ImageEvent event = TestRecords.imageEvent(random, new byte[] {4, 5}, ContentType.JPEG);
    byte[] written = AvroSerdes.imageEvent().serializer().serialize("image-events", event);

    GenericRecord read = AvroDeserializer.generic(older).deserialize("image-events", written);

    assertThat(read.get("event_id").toString()).isEqualTo(event.getEventId().toString());
    assertThat(read.get("content_type").toString()).isEqualTo("JPEG");
    assertThat(read.hasField("attributes")).isFalse();
  }

  @Test
  void aDecisionOfTheFirstReleaseIsReadWithoutAModel() throws Exception {
    Schema v1 = schema("/io/visionstream/schemas/history/ModerationDecision-v1.avsc");
    GenericRecord record = new GenericData.Record(v1);
    record.put("event_id", ID.toString());
    record.put("source_id", "uploads-eu");
    record.put("verdict", new GenericData.EnumSymbol(v1.getField("verdict").schema(), "REVIEW"));
    record.put("reasons", List.of());
    record.put("note", null);
    record.put("policy_source", "__default__");
    record.put("policy_version", 3L);
    record.put("decided_at", 1_790_000_000_000L);

    ModerationDecision read = AvroSerdes.of(ModerationDecision.class).deserializer().deserialize("moderation-decisions",
        encode(record));

    assertThat(read.getEventId()).isEqualTo(ID);
    assertThat(read.getVerdict()).isEqualTo(Verdict.REVIEW);
    assertThat(read.getPolicyVersion()).isEqualTo(3L);
    assertThat(read.getModel()).as("the field's default").isNull();
  }

  @Test
  void aDecisionNamingItsModelIsReadByTheFirstReleasesReader() throws Exception {
    Schema v1 = schema("/io/visionstream/schemas/history/ModerationDecision-v1.avsc");
    ModerationDecision decision = ModerationDecision.newBuilder().setEventId(ID).setSourceId("camera-1")
        .setVerdict(Verdict.BLOCK).setReasons(List.of()).setPolicySource("camera-1").setPolicyVersion(2)
        .setDecidedAt(Instant.ofEpochMilli(1_790_000_000_000L))
        .setModel(ModelRef.newBuilder().setName("resnet50").setVersion("7").build()).build();
    byte[] written = AvroSerdes.of(ModerationDecision.class).serializer().serialize("moderation-decisions", decision);

    GenericRecord read = AvroDeserializer.generic(v1).deserialize("moderation-decisions", written);

    assertThat(read.get("verdict").toString()).isEqualTo("BLOCK");
    assertThat(read.get("policy_version")).isEqualTo(2L);
    assertThat(read.hasField("model")).isFalse();
  }

  @Test
  void aPredictionOfTheFirstReleaseIsReadWithoutAPreprocessingMode() throws Exception {
    Schema v1 = schema("/io/visionstream/schemas/history/Prediction-v1.avsc");
    Prediction current = TestRecords.prediction(TestRecords.imageEvent(random, new byte[] {1}, ContentType.JPEG));
    current.setModel(ModelRef.newBuilder().setName("resnet50").setVersion("4").setPreprocessing("fast").build());
    byte[] written = encodeAs(current, v1);

    Prediction read = AvroSerdes.prediction().deserializer().deserialize("predictions", written);

    assertThat(read.getModel().getName()).isEqualTo("resnet50");
    assertThat(read.getModel().getVersion()).isEqualTo("4");
    assertThat(read.getModel().getPreprocessing()).as("the field's default").isNull();
    assertThat(read.getTopK()).isEqualTo(current.getTopK());
  }

  @Test
  void aPredictionNamingItsPreprocessingModeIsReadByTheFirstReleasesReader() throws Exception {
    Schema v1 = schema("/io/visionstream/schemas/history/Prediction-v1.avsc");
    Prediction current = TestRecords.prediction(TestRecords.imageEvent(random, new byte[] {1}, ContentType.JPEG));
    current.setModel(ModelRef.newBuilder().setName("resnet50").setVersion("4").setPreprocessing("fast").build());
    byte[] written = AvroSerdes.prediction().serializer().serialize("predictions", current);

    GenericRecord read = AvroDeserializer.generic(v1).deserialize("predictions", written);

    GenericRecord model = (GenericRecord) read.get("model");
    assertThat(model.get("version").toString()).isEqualTo("4");
    assertThat(model.hasField("preprocessing")).isFalse();
  }

  @Test
  void aDecisionOfTheSecondReleaseIsReadWithoutAPreprocessingMode() throws Exception {
    Schema v2 = schema("/io/visionstream/schemas/history/ModerationDecision-v2.avsc");
    ModerationDecision decision = ModerationDecision.newBuilder().setEventId(ID).setSourceId("camera-1")
        .setVerdict(Verdict.ALLOW).setReasons(List.of()).setPolicySource("camera-1").setPolicyVersion(2)
        .setDecidedAt(Instant.ofEpochMilli(1_790_000_000_000L))
        .setModel(ModelRef.newBuilder().setName("resnet50").setVersion("7").setPreprocessing("exact").build()).build();
    byte[] written = encodeAs(decision, v2);

    ModerationDecision read = AvroSerdes.of(ModerationDecision.class).deserializer().deserialize("moderation-decisions",
        written);

    assertThat(read.getModel().getVersion()).isEqualTo("7");
    assertThat(read.getModel().getPreprocessing()).isNull();
  }

  @Test
  void newerWriterIsReadOnceItsSchemaIsRegistered() throws Exception {
    Schema newer = schema("/evolution/ImageEvent-newer.avsc");
    byte[] written = encode(newerEvent(newer, "WEBP"));

    AvroDeserializer<ImageEvent> reader = AvroDeserializer.specific(ImageEvent.class);
    reader.configure(Map.of(AvroDeserializer.EXTRA_SCHEMAS_CONFIG, resourcePath("/evolution/ImageEvent-newer.avsc")), false);
    ImageEvent event = reader.deserialize("image-events", written);

    assertThat(event.getEventId()).isEqualTo(ID);
    assertThat(event.getContentType()).as("unknown symbol takes the enum default").isEqualTo(ContentType.UNKNOWN);
    assertThat(event.getAttributes()).containsEntry("lens", "wide");
  }

  @Test
  void newerWriterWithoutRegistrationIsRejectedNamingTheConfigKey() throws Exception {
    Schema newer = schema("/evolution/ImageEvent-newer.avsc");
    byte[] written = encode(newerEvent(newer, "JPEG"));
    String fingerprint = SingleObjectEncoding.hex(SingleObjectEncoding.fingerprint(newer));

    assertThatThrownBy(() -> AvroSerdes.imageEvent().deserializer().deserialize("image-events", written))
        .isInstanceOf(UnknownSchemaException.class)
        .hasMessageContaining("topic 'image-events'")
        .hasMessageContaining(fingerprint)
        .hasMessageContaining(AvroDeserializer.EXTRA_SCHEMAS_CONFIG);
  }

  @Test
  void bundledCatalogKnowsCurrentAndHistoryVersions() throws Exception {
    List<String> versions = SchemaCatalog.bundled().versionsOf(ImageEvent.getClassSchema().getFullName());
    assertThat(versions).containsExactlyInAnyOrder(
        SingleObjectEncoding.hex(SingleObjectEncoding.fingerprint(ImageEvent.getClassSchema())),
        SingleObjectEncoding.hex(SingleObjectEncoding.fingerprint(schema("/io/visionstream/schemas/history/ImageEvent-older-test.avsc"))));
  }

  private GenericRecord newerEvent(Schema newer, String contentType) {
    GenericRecord record = new GenericData.Record(newer);
    record.put("event_id", ID.toString());
    record.put("source_id", "camera-9");
    record.put("captured_at", 1_790_000_000_000L);
    record.put("content_type", new GenericData.EnumSymbol(newer.getField("content_type").schema(), contentType));
    record.put("image", ByteBuffer.wrap(new byte[] {7}));
    record.put("attributes", Map.of("lens", "wide"));
    record.put("width", 640);
    record.put("height", 480);
    return record;
  }

  /** Writes {@code current} with the field subset of {@code older}, as an older producer would. */
  private static byte[] encodeAs(org.apache.avro.specific.SpecificRecordBase current, Schema older) {
    GenericRecord record = new GenericData.Record(older);
    for (Schema.Field field : older.getFields()) {
      Object value = current.get(field.name());
      record.put(field.name(), toGeneric(value, field.schema()));
    }
    return encode(record);
  }

  private static Object toGeneric(Object value, Schema schema) {
    return switch (schema.getType()) {
      case STRING -> value.toString();
      case LONG -> value instanceof Instant instant ? instant.toEpochMilli() : value;
      case RECORD -> {
        GenericRecord nested = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
          nested.put(f.name(), toGeneric(((GenericRecord) value).get(f.name()), f.schema()));
        }
        yield nested;
      }
      case ARRAY -> ((List<?>) value).stream().map(v -> toGeneric(v, schema.getElementType())).toList();
      case ENUM -> new GenericData.EnumSymbol(schema, value.toString());
      case UNION -> value == null ? null : toGeneric(value, schema.getTypes().stream()
          .filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow());
      default -> value;
    };
  }

  private static byte[] encode(GenericRecord record) {
    return new AvroSerializer<GenericRecord>().serialize("test", record);
  }

  private static Schema schema(String resource) throws IOException {
    try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(resource)) {
      return new Schema.Parser().parse(in);
    }
  }

  private static String resourcePath(String resource) throws URISyntaxException {
    return Path.of(SchemaEvolutionTest.class.getResource(resource).toURI()).toString();
  }
}
