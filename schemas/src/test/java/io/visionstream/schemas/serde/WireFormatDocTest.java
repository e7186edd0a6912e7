package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** schemas/README.md publishes fingerprints and header bytes; they must be what the serdes write. */
class WireFormatDocTest {

  private static final Pattern ROW = Pattern.compile("\\| `(\\w+)`\\s*\\| `([0-9a-f]{16})`\\s*\\| `([0-9a-f ]+)`\\s*\\|");

  @Test
  void readmeFingerprintTableMatchesTheSerializedHeaders() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Map<String, List<String>> rows = ROW.matcher(readme).results()
        .collect(Collectors.toMap(m -> m.group(1), m -> List.of(m.group(2), m.group(3))));

    for (Schema schema : SchemaCatalog.CURRENT) {
      assertThat(rows).as("README row for %s", schema.getName()).containsKey(schema.getName());
      assertThat(rows.get(schema.getName()).get(0)).isEqualTo(SingleObjectEncoding.hex(SingleObjectEncoding.fingerprint(schema)));
    }
    byte[] event = AvroSerdes.imageEvent().serializer().serialize("t",
        TestRecords.imageEvent(new java.util.Random(1), new byte[] {1}, io.visionstream.schemas.ContentType.JPEG));
    byte[] prediction = AvroSerdes.prediction().serializer().serialize("t", TestRecords.prediction(
        AvroSerdes.imageEvent().deserializer().deserialize("t", event)));
    assertThat(header(event)).isEqualTo(rows.get(ImageEvent.getClassSchema().getName()).get(1));
    assertThat(header(prediction)).isEqualTo(rows.get(Prediction.getClassSchema().getName()).get(1));
  }

  private static String header(byte[] value) {
    HexFormat hex = HexFormat.ofDelimiter(" ");
    return hex.formatHex(value, 0, SingleObjectEncoding.HEADER_LENGTH);
  }
}
