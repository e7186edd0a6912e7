package io.visionstream.schemas.serde;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Walks an Avro binary body against its writer schema without allocating anything from the
 * data, before Avro's own reader decodes it.
 *
 * <p>Avro's decoder sizes strings, byte arrays and collections from the lengths it reads, so a
 * corrupt length can make it allocate gigabytes before it notices the payload is short. This walk
 * checks every length and count against the bytes actually present, so the decode that follows
 * allocates at most in proportion to the payload; and it names the field where the body went
 * wrong. Collections of zero-width items (e.g. arrays of null) are limited to one item per
 * remaining byte, which no visionstream schema comes near.
 */
final class BodyValidator {

  /** What was wrong with a body; {@link #truncated} tells a short body from a malformed one. */
  static final class Defect extends Exception {
    final boolean truncated;

    Defect(boolean truncated, String message) {
      super(message, null, false, false);
      this.truncated = truncated;
    }
  }

  private static final Schema MAP_KEY = Schema.create(Schema.Type.STRING);

  private final byte[] data;
  private final int end;
  private int pos;
  private final Deque<String> path = new ArrayDeque<>();

  private BodyValidator(byte[] data, int offset) {
    this.data = data;
    this.pos = offset;
    this.end = data.length;
  }

  /** Checks that {@code data[offset..]} holds exactly one value of {@code writer}. */
  static void validate(Schema writer, byte[] data, int offset) throws Defect {
    BodyValidator walk = new BodyValidator(data, offset);
    walk.value(writer);
    if (walk.pos != walk.end) {
      throw new Defect(false, (walk.end - walk.pos) + " trailing bytes after the " + writer.getName()
          + " body, which ends at byte " + walk.pos);
    }
  }

  private void value(Schema schema) throws Defect {
    switch (schema.getType()) {
      case NULL -> { }
      case BOOLEAN -> {
        int b = bytes(1);
        if (data[b] != 0 && data[b] != 1) {
          throw corrupt("boolean byte is " + (data[b] & 0xFF) + ", not 0 or 1");
        }
      }
      case INT -> {
        long v = varint();
        if (v != (int) v) {
          throw corrupt("int value " + v + " is out of the 32-bit range");
        }
      }
      case LONG -> varint();
      case FLOAT -> bytes(4);
      case DOUBLE -> bytes(8);
      case FIXED -> bytes(schema.getFixedSize());
      case BYTES -> bytes(length());
      case STRING -> string(schema);
      case ENUM -> index(schema.getEnumSymbols().size(), "enum " + schema.getName() + " symbol");
      case UNION -> value(schema.getTypes().get(index(schema.getTypes().size(), "union branch")));
      case ARRAY -> blocks(schema.getElementType(), false);
      case MAP -> blocks(schema.getValueType(), true);
      case RECORD -> {
        for (Schema.Field field : schema.getFields()) {
          path.addLast(field.name());
          value(field.schema());
          path.removeLast();
        }
      }
    }
  }

  private void string(Schema schema) throws Defect {
    int length = length();
    int start = bytes(length);
    if (schema.getLogicalType() instanceof LogicalTypes.Uuid) {
      String text = new String(data, start, length, StandardCharsets.UTF_8);
      try {
        UUID.fromString(text);
      } catch (IllegalArgumentException e) {
        throw corrupt("'" + abbreviate(text) + "' is not a UUID");
      }
    }
  }

  private void blocks(Schema items, boolean map) throws Defect {
    int index = 0;
    for (long count = varint(); count != 0; count = varint()) {
      if (count < 0) {
        count = -count;
        long blockBytes = varint();
        if (blockBytes < 0) {
          throw corrupt("negative block size " + blockBytes);
        }
      }
      if (count > end - pos) {
        throw corrupt("block of " + count + " items but only " + (end - pos) + " bytes left");
      }
      for (long i = 0; i < count; i++, index++) {
        path.addLast("[" + index + "]");
        if (map) {
          string(MAP_KEY);
        }
        value(items);
        path.removeLast();
      }
    }
  }

  private int index(int size, String what) throws Defect {
    long i = varint();
    if (i < 0 || i >= size) {
      throw corrupt(what + " index " + i + " is outside 0.." + (size - 1));
    }
    return (int) i;
  }

  private int length() throws Defect {
    long length = varint();
    if (length < 0) {
      throw corrupt("negative length " + length);
    }
    if (length > end - pos) {
      throw truncated("length " + length + " but only " + (end - pos) + " bytes left");
    }
    return (int) length;
  }

  /** Consumes {@code n} bytes and returns the position of the first. */
  private int bytes(long n) throws Defect {
    if (n > end - pos) {
      throw truncated("needs " + n + " bytes but only " + (end - pos) + " left");
    }
    int start = pos;
    pos += (int) n;
    return start;
  }

  /** Zig-zag varint as Avro writes int and long. */
  private long varint() throws Defect {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        throw truncated("body ends inside a varint");
      }
      int b = data[pos++] & 0xFF;
      raw |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw corrupt("varint longer than 10 bytes");
  }

  private Defect truncated(String detail) {
    return new Defect(true, "truncated at byte " + pos + " of " + end + " in " + where() + ": " + detail);
  }

  private Defect corrupt(String detail) {
    return new Defect(false, "malformed at byte " + pos + " in " + where() + ": " + detail);
  }

  private String where() {
    if (path.isEmpty()) {
      return "the record";
    }
    return "field '" + String.join(".", path).replace(".[", "[") + "'";
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
