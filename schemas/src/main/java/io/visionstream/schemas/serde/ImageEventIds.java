package io.visionstream.schemas.serde;

import io.visionstream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.Schema;

/**
 * What the start of a value that began as an ImageEvent says, read without decoding the rest: the
 * event and source ids, for records that are too large to decode, or cut short, or corrupt after
 * their first fields, so that their dead letters still name the upload they were; and where the
 * image is, so that its dimensions can be read before the record is decoded.
 */
public final class ImageEventIds {

  /** What the start of an ImageEvent value says. */
  public record Ids(UUID eventId, String sourceId) {}

  private ImageEventIds() {}

  /**
   * The ids of {@code value}, when it carries the single-object header of a known ImageEvent
   * schema version whose first two fields are {@code event_id} and {@code source_id}, and those
   * two decode (the event id as a UUID); empty otherwise.
   */
  public static Optional<Ids> peek(byte[] value) {
    Schema writer = imageEventWriter(value);
    if (writer == null || !startsWithIds(writer)) {
      return Optional.empty();
    }
    Cursor cursor = new Cursor(value, SingleObjectEncoding.HEADER_LENGTH);
    String eventId = cursor.string();
    String sourceId = eventId == null ? null : cursor.string();
    if (sourceId == null) {
      return Optional.empty();
    }
    try {
      UUID id = UUID.fromString(eventId);
      return id.toString().equalsIgnoreCase(eventId) ? Optional.of(new Ids(id, sourceId)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The encoded image inside {@code value} (a view, not a copy), when it carries the header of a
   * known ImageEvent schema version whose fields start {@code event_id, source_id, captured_at,
   * content_type, image} and those decode; empty otherwise. Lets the classifier read an image's
   * dimensions before it decodes the record.
   */
  public static Optional<ByteBuffer> image(byte[] value) {
    Schema writer = imageEventWriter(value);
    if (writer == null || !startsWithIds(writer) || writer.getFields().size() < 5
        || !writer.getFields().get(2).name().equals("captured_at") || !writer.getFields().get(3).name().equals("content_type")
        || !writer.getFields().get(4).name().equals("image") || writer.getFields().get(4).schema().getType() != Schema.Type.BYTES) {
      return Optional.empty();
    }
    Cursor cursor = new Cursor(value, SingleObjectEncoding.HEADER_LENGTH);
    if (cursor.string() == null || cursor.string() == null || !cursor.skipVarint() || !cursor.skipVarint()) {
      return Optional.empty();
    }
    long length = cursor.varint();
    if (length < 0 || length > value.length - cursor.position) {
      return Optional.empty();
    }
    return Optional.of(ByteBuffer.wrap(value, cursor.position, (int) length).slice());
  }

  private static Schema imageEventWriter(byte[] value) {
    if (value == null || !SingleObjectEncoding.hasMarker(value) || value.length < SingleObjectEncoding.HEADER_LENGTH) {
      return null;
    }
    Schema writer = SchemaCatalog.bundled().find(SingleObjectEncoding.readFingerprint(value));
    return writer != null && writer.getFullName().equals(ImageEvent.getClassSchema().getFullName()) ? writer : null;
  }

  private static boolean startsWithIds(Schema writer) {
    List<Schema.Field> fields = writer.getFields();
    return fields.size() >= 2 && fields.get(0).name().equals("event_id") && fields.get(1).name().equals("source_id")
        && fields.get(0).schema().getType() == Schema.Type.STRING && fields.get(1).schema().getType() == Schema.Type.STRING;
  }

  /** Reads Avro binary strings from a byte array, refusing lengths past its end. */
  private static final class Cursor {
    private final byte[] data;
    private int position;

    Cursor(byte[] data, int position) {
      this.data = data;
      this.position = position;
    }

    /** The next string, or null when its length is malformed or runs past the end. */
    String string() {
      long length = varint();
      if (length < 0 || length > data.length - position) {
        return null;
      }
      String text = new String(data, position, (int) length, StandardCharsets.UTF_8);
      position += (int) length;
      return text;
    }

    /** Skips a varint; false when malformed or cut short. */
    boolean skipVarint() {
      for (int i = 0; i < 10; i++) {
        if (position >= data.length) {
          return false;
        }
        if ((data[position++] & 0x80) == 0) {
          return true;
        }
      }
      return false;
    }

    /** A zig-zag varint long, or -1 when malformed or cut short. */
    long varint() {
      long raw = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= data.length) {
          return -1;
        }
        byte b = data[position++];
        raw |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
      return -1;
    }
  }
}
