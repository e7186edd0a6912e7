package io.visionstream.classifier.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.classifier.testing.StageFixtures;
import io.visionstream.classifier.work.RecordTraces;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.preprocess.TestImages;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class AdmissionTest {

  private static final long INPUT = 224 * 224 * 3 * 4;
  private final Admission admission = admission(PreprocessingMode.EXACT);

  private static Admission admission(PreprocessingMode mode) {
    return new Admission(8 << 20, 40_000_000L, Preprocessing.TORCHVISION, mode, StageFixtures.outputs(), item -> { },
        new StageFixtures.Recorder(), RecordTraces.OFF);
  }

  private static ConsumerRecord<byte[], byte[]> record(byte[] image) {
    return sized(AvroSerdes.imageEvent().serializer().serialize("image-events", StageFixtures.event("cam-1", image)));
  }

  /** A record as the consumer returns it, with its serialized sizes. */
  private static ConsumerRecord<byte[], byte[]> sized(byte[] value) {
    return new ConsumerRecord<>("image-events", 0, 0L, 0L, TimestampType.CREATE_TIME, -1, value.length, null, value,
        new RecordHeaders(), Optional.empty());
  }

  @Test
  void anImageCostsWhatDecodingItTakesReadFromItsHeaderBeforeAnythingIsDecoded() {
    ConsumerRecord<byte[], byte[]> huge = record(TestImages.pngClaiming(6300, 6300));
    assertThat(admission.cost(huge)).isEqualTo(huge.serializedValueSize() + INPUT);
    assertThat(admission.decodeCost(huge)).isEqualTo(6300L * 6300 * Admission.DECODE_BYTES_PER_PIXEL);
    ConsumerRecord<byte[], byte[]> small = record(TestImages.encode(TestImages.scene(640, 480, 3), "jpg"));
    assertThat(admission.decodeCost(small)).isEqualTo(640L * 480 * Admission.DECODE_BYTES_PER_PIXEL);
  }

  @Test
  void inFastModeAJpegCostsItsDecodeAtItsDctScaleAndAProgressiveOneItsFullSizeCoefficientsToo() {
    Admission fast = admission(PreprocessingMode.FAST);
    ConsumerRecord<byte[], byte[]> hd = record(TestImages.encode(TestImages.scene(1920, 1080, 5), "jpg"));
    assertThat(fast.decodeCost(hd)).isEqualTo(480L * 270 * Admission.DECODE_BYTES_PER_PIXEL);
    assertThat(admission.decodeCost(hd)).isEqualTo(1920L * 1080 * Admission.DECODE_BYTES_PER_PIXEL);
    assertThat(fast.cost(hd)).as("the record and its model input, as in exact mode").isEqualTo(admission.cost(hd));
    ConsumerRecord<byte[], byte[]> progressive = record(TestImages.progressiveJpeg(TestImages.scene(1920, 1080, 6)));
    long coefficients = (240L * 136 + 2 * 120 * 68) * 64 * 2;
    assertThat(fast.decodeCost(progressive)).isEqualTo(480L * 270 * Admission.DECODE_BYTES_PER_PIXEL + coefficients);
    assertThat(admission.decodeCost(progressive)).isEqualTo(1920L * 1080 * Admission.DECODE_BYTES_PER_PIXEL + coefficients);
    ConsumerRecord<byte[], byte[]> png = record(TestImages.pngClaiming(6300, 6300));
    assertThat(fast.decodeCost(png)).as("PNGs decode in full").isEqualTo(6300L * 6300 * Admission.DECODE_BYTES_PER_PIXEL);
  }

  @Test
  void anImageOverThePixelLimitOrNoImageAtAllCostsOnlyItsBytesAndInput() {
    ConsumerRecord<byte[], byte[]> bomb = record(TestImages.pngClaiming(50_000, 50_000));
    assertThat(admission.cost(bomb)).isEqualTo(bomb.serializedValueSize() + INPUT);
    assertThat(admission.decodeCost(bomb)).isZero();
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    assertThat(admission.cost(sized(json))).isEqualTo(json.length + INPUT);
    assertThat(admission.decodeCost(sized(json))).isZero();
  }
}
