package io.visionstream.moderation.topology;

import static io.visionstream.moderation.topology.Records.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.CameraTags;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaggingTopologyTest {

  /** Windows of one minute from 10:00, 30 s grace, labels counted from a top-1 score of 0.5. */
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final TaggingTopology.Settings SETTINGS = new TaggingTopology.Settings("predictions", "camera-tags", "tagging.dlq",
      Duration.ofMinutes(1), Duration.ofSeconds(30), 0.5f, Duration.ofHours(1));

  TopologyTestDriver driver;
  TestInputTopic<String, byte[]> predictions;
  TestOutputTopic<String, CameraTags> tags;
  TestOutputTopic<String, byte[]> deadLetters;

  @BeforeEach
  void start() {
    StreamsBuilder builder = new StreamsBuilder();
    TaggingTopology.build(builder, SETTINGS);
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "tagging-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(builder.build(), config);
    predictions = driver.createInputTopic("predictions", Serdes.String().serializer(), Serdes.ByteArray().serializer());
    tags = driver.createOutputTopic("camera-tags", Serdes.String().deserializer(), AvroSerdes.of(CameraTags.class).deserializer());
    deadLetters = driver.createOutputTopic("tagging.dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** Pipes a prediction whose record timestamp is deliberately not its captured_at: windows follow captured_at. */
  private void send(Prediction p) {
    predictions.pipeInput(new TestRecord<>(p.getSourceId(), AvroSerdes.prediction().serializer().serialize("predictions", p),
        p.getCapturedAt().plusSeconds(3600)));
  }

  /** The last summary of each window of {@code source}, by window start. */
  private Map<Instant, CameraTags> latest(String source) {
    Map<Instant, CameraTags> byWindow = new LinkedHashMap<>();
    for (TestRecord<String, CameraTags> r : tags.readRecordsToList()) {
      if (r.key().equals(source)) {
        byWindow.put(r.value().getWindowStart(), r.value());
      }
    }
    return byWindow;
  }

  @Test
  void framesFallIntoTumblingWindowsOfCapturedAtWithTheEndExclusive() {
    send(prediction("cam-1", T0, "cat", 0.9f));
    send(prediction("cam-1", T0.plusSeconds(59).plusMillis(999), "cat", 0.8f, "tabby", 0.1f));
    send(prediction("cam-1", T0.plusSeconds(60), "dog", 0.7f));
    send(prediction("cam-2", T0.plusSeconds(10), "dog", 0.7f));
    Map<Instant, CameraTags> windows = latest("cam-1");
    assertThat(windows).containsOnlyKeys(T0, T0.plusSeconds(60));
    CameraTags first = windows.get(T0);
    assertThat(first.getWindowEnd()).isEqualTo(T0.plusSeconds(60));
    assertThat(first.getFramesSeen()).isEqualTo(2);
    assertThat(first.getLabelCounts()).containsExactly(Map.entry("cat", 2L));
    assertThat(windows.get(T0.plusSeconds(60)).getLabelCounts()).containsExactly(Map.entry("dog", 1L));
  }

  @Test
  void topLabelsBelowTheMinimumScoreAndSkippedFramesAreSeenButNotCounted() {
    send(prediction("cam-1", T0, "cat", 0.5f));
    send(prediction("cam-1", T0.plusSeconds(1), "cat", Math.nextDown(0.5f)));
    send(Records.skipped("cam-1", T0.plusSeconds(2)));
    CameraTags tags = latest("cam-1").get(T0);
    assertThat(tags.getFramesSeen()).isEqualTo(3);
    assertThat(tags.getLabelCounts()).containsExactly(Map.entry("cat", 1L));
  }

  @Test
  void lateFramesCountWithinTheGracePeriodAndAreDroppedBeyondIt() {
    send(prediction("cam-1", T0.plusSeconds(5), "cat", 0.9f));
    // stream time moves to 10:01:29.999: the first window (ends 10:01) still accepts frames until 10:01:30
    send(prediction("cam-1", T0.plusSeconds(89).plusMillis(999), "dog", 0.9f));
    send(prediction("cam-1", T0.plusSeconds(30), "cat", 0.9f));
    assertThat(latest("cam-1").get(T0).getLabelCounts()).containsExactly(Map.entry("cat", 2L));
    // stream time 10:01:30: the first window is closed, a frame of 10:00:40 is dropped
    send(prediction("cam-1", T0.plusSeconds(90), "dog", 0.9f));
    send(prediction("cam-1", T0.plusSeconds(40), "cat", 0.9f));
    Map<Instant, CameraTags> windows = latest("cam-1");
    assertThat(windows).doesNotContainKey(T0);
    assertThat(windows.get(T0.plusSeconds(60)).getLabelCounts()).containsExactly(Map.entry("dog", 2L));
    WindowStore<String, CameraTags> store = driver.getWindowStore(TaggingTopology.TAGS_STORE);
    assertThat(store.fetch("cam-1", T0.toEpochMilli()).getFramesSeen()).isEqualTo(2);
  }

  @Test
  void aCorruptRecordGoesToTheDeadLetterTopicAndTheNextIsCounted() {
    byte[] garbage = "garbage".getBytes(StandardCharsets.UTF_8);
    predictions.pipeInput("cam-1", garbage, T0);
    send(prediction("cam-1", T0.plusSeconds(1), "cat", 0.9f));
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).singleElement().satisfies(r -> {
      assertThat(r.value()).isEqualTo(garbage);
      assertThat(ModerationTopologyTest.header(r, DeadLetterHeaders.REASON)).isEqualTo("UNREADABLE_PREDICTION");
      assertThat(ModerationTopologyTest.header(r, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("predictions");
    });
    assertThat(latest("cam-1").get(T0).getLabelCounts()).containsExactly(Map.entry("cat", 1L));
  }
}
