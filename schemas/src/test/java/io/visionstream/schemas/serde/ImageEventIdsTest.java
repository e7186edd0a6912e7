package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageEventIdsTest {

  private final ImageEvent event = TestRecords.imageEvent(new Random(3), new byte[50_000], ContentType.JPEG);
  private final byte[] value = AvroSerdes.imageEvent().serializer().serialize("image-events", event);

  @Test
  void readsTheIdsOfAWholeEvent() {
    assertThat(ImageEventIds.peek(value)).contains(new ImageEventIds.Ids(event.getEventId(), event.getSourceId()));
  }

  @Test
  void readsTheIdsOfAnEventCutShortAfterThemAndOfOneCorruptAfterThem() {
    int idsEnd = SingleObjectEncoding.HEADER_LENGTH + 1 + 36 + 1 + event.getSourceId().length();
    assertThat(ImageEventIds.peek(Arrays.copyOf(value, idsEnd))).map(ImageEventIds.Ids::eventId).contains(event.getEventId());
    byte[] corrupt = value.clone();
    Arrays.fill(corrupt, idsEnd, corrupt.length, (byte) 0xFF);
    assertThat(ImageEventIds.peek(corrupt)).map(ImageEventIds.Ids::sourceId).contains(event.getSourceId());
  }

  @Test
  void findsTheImageBytesInsideTheValueWithoutCopyingThem() {
    byte[] image = new byte[300];
    new Random(5).nextBytes(image);
    ImageEvent withImage = TestRecords.imageEvent(new Random(4), image, ContentType.PNG);
    byte[] encoded = AvroSerdes.imageEvent().serializer().serialize("image-events", withImage);
    java.nio.ByteBuffer found = ImageEventIds.image(encoded).orElseThrow();
    byte[] copy = new byte[found.remaining()];
    found.duplicate().get(copy);
    assertThat(copy).isEqualTo(image);
    assertThat(found.array()).isSameAs(encoded);
    assertThat(ImageEventIds.image(Arrays.copyOf(encoded, encoded.length - 150))).as("image cut short").isEmpty();
    assertThat(ImageEventIds.image("nope".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void findsNothingWhereTheIdsThemselvesAreCutOrTheValueIsNotAnImageEvent() {
    assertThat(ImageEventIds.peek(Arrays.copyOf(value, SingleObjectEncoding.HEADER_LENGTH + 20))).isEmpty();
    assertThat(ImageEventIds.peek(null)).isEmpty();
    assertThat(ImageEventIds.peek("{\"event_id\": 1}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    byte[] prediction = AvroSerdes.prediction().serializer().serialize("p", TestRecords.prediction(event));
    assertThat(ImageEventIds.peek(prediction)).as("a Prediction also starts with event_id, source_id").isEmpty();
    byte[] notUuid = value.clone();
    notUuid[SingleObjectEncoding.HEADER_LENGTH + 1] = 'z';
    assertThat(ImageEventIds.peek(notUuid)).isEmpty();
    byte[] hugeLength = value.clone();
    hugeLength[SingleObjectEncoding.HEADER_LENGTH] = (byte) 0xFE;
    assertThat(ImageEventIds.peek(hugeLength)).isEmpty();
  }
}
