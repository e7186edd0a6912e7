package io.visionstream.moderation.topology;

import io.visionstream.schemas.CameraTags;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Predictions → per-source tag summaries in tumbling windows of {@code captured_at}: frames seen,
 * and counts of top-1 labels that scored at least the minimum score. A window accepts frames
 * until its end plus the grace period (in stream time); later frames are dropped, as Kafka
 * Streams counts in its dropped-records metric. Summaries go to the tags topic as they change and
 * stay queryable in a window store for {@code retention}.
 */
public final class TaggingTopology {

  /** Name of the window store served by {@code /tags/{sourceId}}. */
  public static final String TAGS_STORE = "camera-tags-store";

  /**
   * @param windowSize tumbling window length
   * @param grace how long after a window's end late frames still count
   * @param minScore lowest top-1 score whose label is counted
   * @param retention how long windows stay queryable (at least size + grace)
   */
  public record Settings(String predictions, String tags, String deadLetters, Duration windowSize, Duration grace,
      float minScore, Duration retention) {

    public Settings {
      if (windowSize.isZero() || windowSize.isNegative()) {
        throw new IllegalArgumentException("the tag window size must be positive, got " + windowSize);
      }
      if (grace.isNegative()) {
        throw new IllegalArgumentException("the tag window grace must not be negative, got " + grace);
      }
      if (retention.compareTo(windowSize.plus(grace)) < 0) {
        retention = windowSize.plus(grace);
      }
    }
  }

  private TaggingTopology() {}

  /** Adds the tagging topology to {@code builder}; returns the stream of summaries written to the tags topic. */
  public static KStream<String, CameraTags> build(StreamsBuilder builder, Settings settings) {
    KStream<String, Outcome<Prediction>> parsed = builder.stream(settings.predictions(),
            Consumed.with(Serdes.String(), Serdes.ByteArray()).withTimestampExtractor(new CapturedAtExtractor())
                .withName("tagging-predictions"))
        .processValues(ParsePrediction::new, Named.as("parse-prediction"));
    parsed.filter((k, o) -> o.isDead(), Named.as("tagging-dead"))
        .processValues(ToDeadLetter::new, Named.as("tagging-dead-headers"))
        .to(settings.deadLetters(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("tagging-dead-letters"));
    float minScore = settings.minScore();
    KStream<String, CameraTags> summaries = parsed.filter((k, o) -> !o.isDead() && k != null, Named.as("tagging-ok"))
        .mapValues(Outcome::value, Named.as("prediction"))
        .groupByKey(Grouped.with("by-source", Serdes.String(), AvroSerdes.prediction()))
        .windowedBy(TimeWindows.ofSizeAndGrace(settings.windowSize(), settings.grace()))
        .aggregate(TaggingTopology::empty, (source, prediction, tags) -> add(source, prediction, tags, minScore),
            Named.as("count-tags"),
            Materialized.<String, CameraTags, WindowStore<Bytes, byte[]>>as(TAGS_STORE).withKeySerde(Serdes.String())
                .withValueSerde(AvroSerdes.of(CameraTags.class)).withRetention(settings.retention()))
        .toStream(Named.as("tag-changes"))
        .map((window, tags) -> KeyValue.pair(window.key(), withWindow(tags, window.window())), Named.as("tag-summary"));
    summaries.to(settings.tags(), Produced.with(Serdes.String(), AvroSerdes.of(CameraTags.class)).withName("camera-tags"));
    return summaries;
  }

  static CameraTags empty() {
    return CameraTags.newBuilder().setSourceId("").setWindowStart(Instant.EPOCH).setWindowEnd(Instant.EPOCH)
        .setFramesSeen(0).setLabelCounts(new HashMap<>()).build();
  }

  static CameraTags add(String source, Prediction prediction, CameraTags tags, float minScore) {
    Map<String, Long> counts = new HashMap<>(tags.getLabelCounts());
    if (prediction.getStatus() == PredictionStatus.CLASSIFIED && !prediction.getTopK().isEmpty()) {
      ClassScore top = prediction.getTopK().get(0);
      if (top.getScore() >= minScore) {
        counts.merge(top.getLabel(), 1L, Long::sum);
      }
    }
    return CameraTags.newBuilder(tags).setSourceId(source).setFramesSeen(tags.getFramesSeen() + 1).setLabelCounts(counts)
        .build();
  }

  /** {@code tags} with its window's bounds, as published and served. */
  public static CameraTags withWindow(CameraTags tags, Window window) {
    return CameraTags.newBuilder(tags).setWindowStart(Instant.ofEpochMilli(window.start()))
        .setWindowEnd(Instant.ofEpochMilli(window.end())).build();
  }
}
