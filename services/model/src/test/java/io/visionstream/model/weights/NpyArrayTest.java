package io.visionstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NpyArrayTest {

  /** Bytes of a version-1 .npy file, as numpy.save writes it. */
  static byte[] npy(String descr, String shape, byte[] data) throws IOException {
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = 64 - (10 + header.length() + 1) % 64;
    header = header + " ".repeat(pad % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.write(header.length() & 0xFF);
    out.write(header.length() >> 8);
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    out.write(data);
    return out.toByteArray();
  }

  static byte[] floats(float... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buf.putFloat(v);
    }
    return buf.array();
  }

  @Test
  void readsFloat32WithItsShape() throws IOException {
    NpyArray array = NpyArray.parse(npy("<f4", "(2, 3)", floats(1, 2, 3, 4, 5, 6.5f)), "a.npy");
    assertThat(array.shape()).containsExactly(2, 3);
    assertThat(array.toFloats("a")).containsExactly(1, 2, 3, 4, 5, 6.5f);
  }

  @Test
  void readsFloat16IncludingSubnormalsAndInfinity() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    buf.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001).putShort((short) 0x7C00).putShort((short) 0x3555);
    NpyArray array = NpyArray.parse(npy("<f2", "(5,)", buf.array()), "h.npy");
    assertThat(array.toFloats("h")).containsExactly(1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY, 0.33325195f);
  }

  @Test
  void scalarShapeIsEmpty() throws IOException {
    NpyArray array = NpyArray.parse(npy("<i8", "()", new byte[8]), "counter.npy");
    assertThat(array.shape()).isEmpty();
    assertThatThrownBy(() -> array.toFloats("counter.npy")).hasMessageContaining("not a floating-point array");
  }

  @Test
  void rejectsWhatItCannotReadNamingTheEntry() throws IOException {
    assertThatThrownBy(() -> NpyArray.parse("PK\3\4 not npy".getBytes(StandardCharsets.US_ASCII), "w.npz:fc.weight"))
        .hasMessageContaining("w.npz:fc.weight: not a .npy array");
    assertThatThrownBy(() -> NpyArray.parse(npy("<f4", "(2, 3)", floats(1, 2)), "x"))
        .hasMessageContaining("shape [2, 3] of <f4 needs 24 bytes, the entry holds 8");
    assertThatThrownBy(() -> NpyArray.parse(npy(">f4", "(1,)", floats(1)), "x"))
        .hasMessageContaining("dtype >f4 is not supported");
    byte[] fortran = npy("<f4", "(1,)", floats(1));
    String text = new String(fortran, StandardCharsets.ISO_8859_1).replace("'fortran_order': False", "'fortran_order': True ");
    assertThatThrownBy(() -> NpyArray.parse(text.getBytes(StandardCharsets.ISO_8859_1), "x"))
        .hasMessageContaining("Fortran-ordered");
  }
}
