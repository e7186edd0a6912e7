package io.visionstream.model.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One array in NumPy's {@code .npy} format (versions 1 to 3), little-endian float16/32/64 or
 * int64, C order. Written by hand because no maintained Java library reads the format; the format
 * is the five-field header documented in {@code numpy.lib.format} followed by raw data.
 */
public final class NpyArray {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private final String dtype;
  private final long[] shape;
  private final ByteBuffer data;

  private NpyArray(String dtype, long[] shape, ByteBuffer data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  /** Parses {@code bytes}; {@code where} names the file or entry in error messages. */
  public static NpyArray parse(byte[] bytes, String where) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new IOException(where + ": not a .npy array (no \\x93NUMPY magic)");
    }
    int major = bytes[6];
    int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
    int headerStart = major == 1 ? 10 : 12;
    if (headerLength < 0 || headerStart + headerLength > bytes.length) {
      throw new IOException(where + ": .npy header length " + headerLength + " exceeds the " + bytes.length + "-byte entry");
    }
    String header = new String(bytes, headerStart, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String dtype = group(DESCR, header, where, "descr");
    if (group(FORTRAN, header, where, "fortran_order").equals("True")) {
      throw new IOException(where + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
    }
    String dims = group(SHAPE, header, where, "shape").strip();
    long[] shape = dims.isEmpty() ? new long[0]
        : Arrays.stream(dims.split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    int width = switch (dtype) {
      case "<f2" -> 2;
      case "<f4" -> 4;
      case "<f8", "<i8" -> 8;
      default -> throw new IOException(where + ": dtype " + dtype + " is not supported (use float16, float32, float64 or int64)");
    };
    long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    int dataStart = headerStart + headerLength;
    if (bytes.length - dataStart != elements * width) {
      throw new IOException(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + elements * width
          + " bytes, the entry holds " + (bytes.length - dataStart));
    }
    ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
    return new NpyArray(dtype, shape, data);
  }

  public long[] shape() {
    return shape.clone();
  }

  /** The values as float32, converting from float16 or float64 (int64 arrays are refused). */
  public float[] toFloats(String where) throws IOException {
    int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
    float[] out = new float[n];
    switch (dtype) {
      case "<f4" -> data.asFloatBuffer().get(out);
      case "<f2" -> {
        for (int i = 0; i < n; i++) {
          out[i] = halfToFloat(data.getShort(2 * i));
        }
      }
      case "<f8" -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) data.getDouble(8 * i);
        }
      }
      default -> throw new IOException(where + ": dtype " + dtype + " is not a floating-point array");
    }
    return out;
  }

  /** IEEE 754 binary16 to binary32 (Java 17 lacks {@code Float.float16ToFloat}). */
  static float halfToFloat(short half) {
    int sign = (half & 0x8000) << 16;
    int exponent = (half >>> 10) & 0x1F;
    int mantissa = half & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float value = mantissa * 0x1p-24f;
      return sign == 0 ? value : -value;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  private static String group(Pattern pattern, String header, String where, String key) throws IOException {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new IOException(where + ": .npy header has no '" + key + "': " + header.strip());
    }
    return m.group(1);
  }
}
