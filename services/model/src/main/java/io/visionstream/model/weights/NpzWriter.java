package io.visionstream.model.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes float arrays as an {@code .npz} archive that {@code numpy.load} (and so a torchvision
 * {@code load_state_dict} of {@code {k: torch.from_numpy(v)}}) and {@link StateDictWeights} read:
 * one {@code .npy} (format 1.0, little-endian, C order) per array, float32 or float16. The file is
 * written beside its destination and moved into place, so a crash never leaves half an archive.
 */
public final class NpzWriter {

  private NpzWriter() {}

  /**
   * @param arrays name → values, written in iteration order
   * @param shapes name → shape; every array needs one whose size matches
   * @param half store float16 (round to nearest even) instead of float32
   */
  public static void write(Path file, Map<String, float[]> arrays, Map<String, long[]> shapes, boolean half) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
      for (Map.Entry<String, float[]> e : arrays.entrySet()) {
        long[] shape = shapes.get(e.getKey());
        if (shape == null || Arrays.stream(shape).reduce(1, Math::multiplyExact) != e.getValue().length) {
          throw new IllegalArgumentException(e.getKey() + ": " + e.getValue().length + " values do not fit shape "
              + Arrays.toString(shape));
        }
        zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        writeNpy(zip, e.getValue(), shape, half);
        zip.closeEntry();
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeNpy(OutputStream out, float[] values, long[] shape, boolean half) throws IOException {
    String dims = shape.length == 1 ? shape[0] + "," : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
    StringBuilder header = new StringBuilder("{'descr': '" + (half ? "<f2" : "<f4") + "', 'fortran_order': False, 'shape': ("
        + dims + "), }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0)
        .putShort((short) header.length());
    out.write(head.array());
    out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
    ByteBuffer data = ByteBuffer.allocate(values.length * (half ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      if (half) {
        data.putShort(floatToHalf(v));
      } else {
        data.putFloat(v);
      }
    }
    out.write(data.array());
  }

  /** IEEE 754 binary32 to binary16, rounding to nearest even (Java 17 lacks {@code Float.floatToFloat16}). */
  static short floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xFF;
    int mantissa = bits & 0x7FFFFF;
    if (exponent == 0xFF) {
      return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
    }
    int e = exponent - 127 + 15;
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      int m = mantissa | 0x800000;
      int shift = 14 - e;
      int halfMantissa = m >>> shift;
      int rest = m & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (rest > halfway || (rest == halfway && (halfMantissa & 1) != 0)) {
        halfMantissa++;
      }
      return (short) (sign | halfMantissa);
    }
    int halfBits = (e << 10) | (mantissa >>> 13);
    int rest = mantissa & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (halfBits & 1) != 0)) {
      halfBits++; // may carry into the exponent, which is the correct rounding (up to infinity)
    }
    return (short) (sign | halfBits);
  }
}
