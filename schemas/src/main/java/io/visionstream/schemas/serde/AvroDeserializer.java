package io.visionstream.schemas.serde;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads single-object encoded Avro records as one record type, resolving the writer's
 * fingerprint against a {@link SchemaCatalog} so that records written with an older or newer
 * version of the schema decode too (Avro schema resolution: defaults fill fields the writer did
 * not have, fields the reader does not have are skipped, unknown enum symbols take the enum's
 * default).
 *
 * <p>Every payload that cannot be read throws a subclass of {@link InvalidPayloadException} whose
 * message says what was wrong; a payload never decodes to {@code null} except a {@code null}
 * payload (a tombstone). Before decoding, the body is checked against the writer schema
 * ({@link BodyValidator}), so corrupt lengths cannot make the decoder allocate more than the
 * payload's size. Thread-safe once configured.
 *
 * <p>Built in code ({@link #specific(Class)}, {@link #generic(Schema)}), or by Kafka from its class
 * name with {@value #VALUE_TYPE_CONFIG} (or {@value #KEY_TYPE_CONFIG}) naming the generated class.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

  /** Generated record class a deserializer created by Kafka reads as record value. */
  public static final String VALUE_TYPE_CONFIG = "visionstream.avro.value.type";
  /** Generated record class a deserializer created by Kafka reads as record key. */
  public static final String KEY_TYPE_CONFIG = "visionstream.avro.key.type";
  /**
   * Comma-separated {@code .avsc} files of further writer schema versions to accept, e.g. the
   * schema of a newer producer deployed before this reader is upgraded.
   */
  public static final String EXTRA_SCHEMAS_CONFIG = "visionstream.avro.extra-schemas";

  private Schema readerSchema;
  private GenericData model;
  private SchemaCatalog catalog = SchemaCatalog.bundled();
  private final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();

  /** For Kafka, which configures it from {@value #VALUE_TYPE_CONFIG}/{@value #KEY_TYPE_CONFIG}. */
  public AvroDeserializer() {}

  private AvroDeserializer(Schema readerSchema, GenericData model) {
    this.readerSchema = readerSchema;
    this.model = model;
    this.catalog = catalog.with(List.of(readerSchema));
  }

  /** Reads records as the generated class {@code type}. */
  public static <T extends SpecificRecord> AvroDeserializer<T> specific(Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    return new AvroDeserializer<>(model.getSchema(type), model);
  }

  /** Reads records as {@link GenericRecord}s of {@code readerSchema}. */
  public static AvroDeserializer<GenericRecord> generic(Schema readerSchema) {
    return new AvroDeserializer<>(readerSchema, GenericData.get());
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    String typeKey = isKey ? KEY_TYPE_CONFIG : VALUE_TYPE_CONFIG;
    Object type = configs.get(typeKey);
    if (readerSchema == null) {
      if (type == null) {
        throw new ConfigException(typeKey + " is not set: name the generated Avro class to read, e.g. "
            + "io.visionstream.schemas.ImageEvent");
      }
      Class<?> recordClass = recordClass(typeKey, type);
      SpecificData specific = SpecificData.getForClass(recordClass);
      model = specific;
      readerSchema = specific.getSchema(recordClass);
    }
    Object extra = configs.get(EXTRA_SCHEMAS_CONFIG);
    List<Path> files = extra == null ? List.of()
        : Arrays.stream(extra.toString().split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).toList();
    try {
      catalog = catalog.with(List.of(readerSchema)).withFiles(files);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(EXTRA_SCHEMAS_CONFIG, extra, e.getMessage());
    }
    readers.clear();
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (readerSchema == null) {
      throw new IllegalStateException("AvroDeserializer used before configure(): set " + VALUE_TYPE_CONFIG);
    }
    Schema writer = writerSchema(topic, data);
    try {
      BodyValidator.validate(writer, data, SingleObjectEncoding.HEADER_LENGTH);
    } catch (BodyValidator.Defect defect) {
      String message = describe(topic, data, writer) + defect.getMessage();
      throw defect.truncated ? new TruncatedPayloadException(topic, message)
          : new CorruptPayloadException(topic, message, null);
    }
    long fingerprint = SingleObjectEncoding.readFingerprint(data);
    DatumReader<T> reader = readers.computeIfAbsent(fingerprint, fp -> datumReader(writer));
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, SingleObjectEncoding.HEADER_LENGTH,
        data.length - SingleObjectEncoding.HEADER_LENGTH, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new CorruptPayloadException(topic, describe(topic, data, writer) + "body does not decode: " + e, e);
    }
  }

  private Schema writerSchema(String topic, byte[] data) {
    if (!SingleObjectEncoding.hasMarker(data)) {
      throw new NotAvroPayloadException(topic, where(topic, data) + "not Avro single-object encoding: expected marker "
          + "C3 01, found " + preview(data));
    }
    if (data.length < SingleObjectEncoding.HEADER_LENGTH) {
      throw new NotAvroPayloadException(topic, where(topic, data) + "too short for the 10-byte single-object header");
    }
    long fingerprint = SingleObjectEncoding.readFingerprint(data);
    Schema writer = catalog.find(fingerprint);
    if (writer == null) {
      throw new UnknownSchemaException(topic, fingerprint, where(topic, data) + "writer schema fingerprint "
          + SingleObjectEncoding.hex(fingerprint) + " is unknown; this reader knows " + readerSchema.getFullName()
          + " versions " + catalog.versionsOf(readerSchema.getFullName()) + ". If it is a newer schema version, "
          + "add its .avsc to " + EXTRA_SCHEMAS_CONFIG);
    }
    if (!writer.getFullName().equals(readerSchema.getFullName()) && !writer.getAliases().contains(readerSchema.getFullName())
        && !readerSchema.getAliases().contains(writer.getFullName())) {
      throw new UnexpectedRecordTypeException(topic, where(topic, data) + "payload is a " + writer.getFullName()
          + " (fingerprint " + SingleObjectEncoding.hex(fingerprint) + "), expected " + readerSchema.getFullName());
    }
    return writer;
  }

  @SuppressWarnings("unchecked")
  private DatumReader<T> datumReader(Schema writer) {
    return (DatumReader<T>) model.createDatumReader(writer, readerSchema);
  }

  private static Class<?> recordClass(String key, Object type) {
    Class<?> recordClass;
    try {
      recordClass = type instanceof Class<?> c ? c
          : Class.forName(type.toString().strip(), true, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ConfigException(key, type, "no such class on the classpath");
    }
    if (!SpecificRecord.class.isAssignableFrom(recordClass)) {
      throw new ConfigException(key, type, "not a generated Avro record class (SpecificRecord)");
    }
    return recordClass;
  }

  private static String where(String topic, byte[] data) {
    return (topic == null ? "" : "topic '" + topic + "', ") + data.length + "-byte payload: ";
  }

  private static String describe(String topic, byte[] data, Schema writer) {
    return where(topic, data) + writer.getName() + " (writer fingerprint "
        + SingleObjectEncoding.hex(SingleObjectEncoding.readFingerprint(data)) + ") ";
  }

  /** First bytes in hex, and as text when they are printable (JSON or plain text sent by mistake). */
  private static String preview(byte[] data) {
    int n = Math.min(data.length, 8);
    StringBuilder hex = new StringBuilder();
    boolean printable = n > 0;
    for (int i = 0; i < n; i++) {
      hex.append(i == 0 ? "" : " ").append(String.format("%02X", data[i]));
      printable &= data[i] >= 0x20 && data[i] < 0x7F;
    }
    if (n == 0) {
      return "an empty payload";
    }
    String text = printable ? " (text \"" + new String(data, 0, n, java.nio.charset.StandardCharsets.US_ASCII) + "\")" : "";
    return hex + (data.length > n ? " ..." : "") + text;
  }
}
