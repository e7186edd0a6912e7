package io.visionstream.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Constants and helpers of Avro's single-object encoding, the wire format of every visionstream
 * topic: {@code C3 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint (little-endian) of its
 * Parsing Canonical Form, then the Avro binary body.
 */
public final class SingleObjectEncoding {

  /** First two bytes of every payload. */
  public static final byte MARKER_0 = (byte) 0xC3;
  public static final byte MARKER_1 = (byte) 0x01;
  /** Marker plus fingerprint. */
  public static final int HEADER_LENGTH = 10;

  private SingleObjectEncoding() {}

  /** CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form, as written in the header. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** The fingerprint as 16 hex digits, most significant first, as the docs and errors print it. */
  public static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  static boolean hasMarker(byte[] data) {
    return data.length >= 2 && data[0] == MARKER_0 && data[1] == MARKER_1;
  }

  /** Reads the little-endian fingerprint that follows the marker; the caller checked the length. */
  static long readFingerprint(byte[] data) {
    long fingerprint = 0;
    for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (data[i] & 0xFFL);
    }
    return fingerprint;
  }
}
