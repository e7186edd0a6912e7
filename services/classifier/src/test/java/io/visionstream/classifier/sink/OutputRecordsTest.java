package io.visionstream.classifier.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.classifier.work.DeadLetterReason;
import io.visionstream.classifier.work.WorkItem;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class OutputRecordsTest {

  private final OutputRecords outputs = new OutputRecords("predictions", "image-events.dlq", () -> new ModelRef("m", "1", "exact"), 1000,
      Clock.systemUTC());

  private static String header(ProducerRecord<byte[], byte[]> record, String key) {
    return DeadLetterHeaders.get(record.headers(), key);
  }

  @Test
  void anUndecodedRecordTooLargeToKeepWholeStillNamesItsEventAndSourceAfterTheCut() {
    ImageEvent event = ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId("uploads-eu").setCapturedAt(Instant.now())
        .setContentType(ContentType.JPEG).setImage(ByteBuffer.wrap(new byte[2_000_000])).setAttributes(Map.of()).build();
    byte[] value = AvroSerdes.imageEvent().serializer().serialize("image-events", event);
    WorkItem item = new WorkItem(new ConsumerRecord<>("image-events", 2, 41L, "other-key".getBytes(StandardCharsets.UTF_8), value),
        0, value.length);

    ProducerRecord<byte[], byte[]> letter = outputs.deadLetter(item, DeadLetterReason.RECORD_TOO_LARGE, "too large", null, 1);

    assertThat(letter.value()).hasSize(1000);
    assertThat(header(letter, DeadLetterHeaders.TRUNCATED_FROM)).isEqualTo(Integer.toString(value.length));
    assertThat(header(letter, DeadLetterHeaders.EVENT_ID)).isEqualTo(event.getEventId().toString());
    assertThat(header(letter, DeadLetterHeaders.EVENT_SOURCE_ID)).isEqualTo("uploads-eu");
    assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("41");
  }

  @Test
  void aRecordThatNeverWasAnImageEventNamesNoEvent() {
    byte[] value = "{\"event_id\": \"x\"}".getBytes(StandardCharsets.UTF_8);
    WorkItem item = new WorkItem(new ConsumerRecord<>("image-events", 0, 7L, null, value), 0, value.length);

    ProducerRecord<byte[], byte[]> letter = outputs.deadLetter(item, DeadLetterReason.INVALID_EVENT, "not Avro", null, 1);

    assertThat(header(letter, DeadLetterHeaders.EVENT_ID)).isNull();
    assertThat(header(letter, DeadLetterHeaders.EVENT_SOURCE_ID)).isNull();
    assertThat(letter.value()).isEqualTo(value);
  }
}
