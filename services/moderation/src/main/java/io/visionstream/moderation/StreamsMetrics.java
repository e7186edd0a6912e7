package io.visionstream.moderation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micronaut.context.annotation.Context;
import jakarta.inject.Named;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/** Publishes Kafka Streams' own metrics (kafka_stream_*) of both applications on /prometheus, tagged by application. */
@Context
public class StreamsMetrics implements AutoCloseable {

  private final List<KafkaStreamsMetrics> binders;

  public StreamsMetrics(@Named(StreamsFactory.MODERATION) KafkaStreams moderation,
      @Named(StreamsFactory.TAGGING) KafkaStreams tagging, MeterRegistry registry) {
    binders = List.of(new KafkaStreamsMetrics(moderation, List.of(Tag.of("application", "moderation"))),
        new KafkaStreamsMetrics(tagging, List.of(Tag.of("application", StreamsFactory.TAGGING))));
    binders.forEach(b -> b.bindTo(registry));
  }

  @Override
  public void close() {
    binders.forEach(KafkaStreamsMetrics::close);
  }
}
