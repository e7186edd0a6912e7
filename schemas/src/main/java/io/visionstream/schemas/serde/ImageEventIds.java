package io.visionstream.schemas.serde;

import io.visionstream.schemas.ImageEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.Schema;

/**
 * The event id and source id at the start of a value that began as an ImageEvent, read without
 * decoding the rest: for records that are too large to decode, or cut short, or corrupt after
 * their first fields, so that their dead letters still name the upload they were.
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
    if (value == null || !SingleObjectEncoding.hasMarker(value) || value.length < SingleObjectEncoding.HEADER_LENGTH) {
      return Optional.empty();
    }
    Schema writer = SchemaCatalog.bundled().find(SingleObjectEncoding.readFingerprint(value));
    if (writer == null || !writer.getFullName().equals(ImageEvent.getClassSchema().getFullName()) || !startsWithIds(writer)) {
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

    /** A zig-zag varint long, or -1 when malformed or cut short. */
    private long varint() {
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
