package io.visionstream.model.train;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (gzip-compressed or not): unsigned-byte image
 * arrays (magic 0x00000803) and label vectors (0x00000801), big-endian dimensions.
 */
public final class IdxFiles {

  private static final int UBYTE_IMAGES = 0x803;
  private static final int UBYTE_LABELS = 0x801;

  private IdxFiles() {}

  public static LabelledImages read(String name, Path images, Path labels, List<String> classes) throws IOException {
    int[] dims;
    byte[] pixels;
    try (DataInputStream in = open(images)) {
      dims = header(in, images, UBYTE_IMAGES, 3);
      pixels = readFully(in, images, (long) dims[0] * dims[1] * dims[2]);
    }
    byte[] raw;
    try (DataInputStream in = open(labels)) {
      int[] n = header(in, labels, UBYTE_LABELS, 1);
      if (n[0] != dims[0]) {
        throw new IOException(labels + " has " + n[0] + " labels but " + images + " has " + dims[0] + " images");
      }
      raw = readFully(in, labels, n[0]);
    }
    int[] values = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      values[i] = raw[i] & 0xff;
    }
    return new LabelledImages(name, dims[0], dims[1], dims[2], pixels, values, classes);
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    return new DataInputStream(new java.io.BufferedInputStream(
        file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in, 1 << 16));
  }

  private static int[] header(DataInputStream in, Path file, int magic, int rank) throws IOException {
    int found = in.readInt();
    if (found != magic) {
      throw new IOException(file + " is not an IDX unsigned-byte array of rank " + rank + " (magic 0x"
          + Integer.toHexString(found) + ", expected 0x" + Integer.toHexString(magic) + ")");
    }
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = in.readInt();
      if (dims[i] <= 0) {
        throw new IOException(file + ": dimension " + i + " is " + dims[i]);
      }
    }
    return dims;
  }

  private static byte[] readFully(DataInputStream in, Path file, long n) throws IOException {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IOException(file + " holds " + n + " bytes, more than one array can");
    }
    byte[] out = new byte[(int) n];
    try {
      in.readFully(out);
    } catch (java.io.EOFException e) {
      throw new IOException(file + " is truncated: its header declares " + n + " bytes of data", e);
    }
    return out;
  }
}
