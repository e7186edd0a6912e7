package io.visionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.visionstream.classifier.config.BackpressureConfig;
import io.visionstream.classifier.config.BatchingConfig;
import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.FaultsConfig;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.LimitsConfig;
import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.LoadPolicyConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.classifier.pipeline.PipelineOptions;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.preprocess.TestImages;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.serving.TestVersions;
import io.visionstream.model.serving.VersionedModels;
import io.visionstream.moderation.policy.PolicyEvents;
import io.visionstream.moderation.policy.PolicyTable;
import io.visionstream.moderation.topology.ModerationTopology;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.service.tracing.Tracing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace per uploaded image, from the trace context in its event's headers through the
 * classifier (on the real broker) to moderation's decision (its topology under a test driver, fed
 * the classifier's prediction records as they are, headers included).
 */
@WithKafkaBroker
class TracingAcrossServicesIT {

  private static final int EVENTS = 12;

  @TempDir
  Path work;

  @Test
  void eachImagesTraceRunsFromItsEventHeaderThroughTheClassifiersSpansToModerationsDecision(KafkaTestBroker broker)
      throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    Tracing tracing = Tracing.with(OpenTelemetrySdk.builder().setTracerProvider(provider).build());

    String input = broker.uniqueTopic("traced-events");
    TopicsConfig topics = new TopicsConfig(input, input + "-predictions", input + "-dlq");
    broker.createTopic(topics.input(), 2);
    broker.createTopic(topics.predictions(), 2);
    broker.createTopic(topics.deadLetters(), 1);

    // an uploader's span per image, its context in the event's headers
    Map<UUID, SpanContext> uploads = new HashMap<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      ImageEvent event = ImageEvent.newBuilder().setEventId(UUID.randomUUID()).setSourceId("camera-" + (i % 3))
          .setCapturedAt(Instant.now()).setContentType(ContentType.JPEG)
          .setImage(ByteBuffer.wrap(TestImages.encode(TestImages.scene(160, 120, 40 + i), "jpg"))).setAttributes(Map.of())
          .build();
      Span upload = tracing.tracer().spanBuilder("upload").setSpanKind(SpanKind.PRODUCER).startSpan();
      RecordHeaders headers = new RecordHeaders();
      Tracing.inject(upload, headers);
      upload.end();
      uploads.put(event.getEventId(), upload.getSpanContext());
      records.add(new ProducerRecord<>(input, null, event.getSourceId().getBytes(StandardCharsets.UTF_8),
          AvroSerdes.imageEvent().serializer().serialize(input, event), headers));
    }

    Path versions = work.resolve("models");
    TestVersions.add(versions, 1, 3);
    List<ConsumerRecord<byte[], byte[]>> predictions;
    try (VersionedModels models = VersionedModels.open(new VersionedModels.Settings(versions, null, SessionSettings.DEFAULT,
        ClassifierModel.Options.NONE), Clock.systemUTC())) {
      ClassifierPipeline pipeline = ClassifierPipeline.start(settings(topics, input), new KafkaClientsConfig(
          broker.bootstrapServers(), Map.of(), Map.of(), Map.of()), models.serving(),
          new PipelineOptions(PreprocessingMode.EXACT, ShadowModel.Sink.NONE, tracing), 3, SessionSettings.DEFAULT,
          new SimpleMeterRegistry(), Clock.systemUTC(), ClassifierPipeline.Overrides.NONE);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(broker.clientConfig(Map.of(
          ProducerConfig.ACKS_CONFIG, "all")), new ByteArraySerializer(), new ByteArraySerializer())) {
        for (ProducerRecord<byte[], byte[]> record : records) {
          producer.send(record).get();
        }
      }
      predictions = read(broker, topics.predictions(), EVENTS);
      pipeline.close();
    }
    assertThat(predictions).hasSize(EVENTS);

    // moderation judges the predictions as the classifier wrote them
    List<TestRecord<String, ModerationDecision>> decisions = judge(predictions, tracing);
    assertThat(decisions).hasSize(EVENTS);

    List<SpanData> spans = exporter.getFinishedSpanItems();
    Map<String, SpanData> byId = spans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
    Set<String> linkedFromBatches = new HashSet<>();
    List<SpanData> batches = spans.stream().filter(s -> s.getName().equals("inference")).toList();
    assertThat(batches).isNotEmpty().allSatisfy(batch -> {
      assertThat(batch.getParentSpanContext().isValid()).as("a batch span has no parent").isFalse();
      assertThat(batch.getLinks()).hasSize((int) (long) batch.getAttributes().get(
          io.opentelemetry.api.common.AttributeKey.longKey("visionstream.batch.size")));
      assertThat(batch.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("visionstream.model.version")))
          .isEqualTo("1");
      batch.getLinks().stream().map(LinkData::getSpanContext).forEach(c -> linkedFromBatches.add(c.getSpanId()));
    });

    for (TestRecord<String, ModerationDecision> decision : decisions) {
      UUID eventId = decision.value().getEventId();
      SpanContext upload = uploads.get(eventId);
      // the decision's headers name moderation's span …
      String traceparent = new String(decision.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8);
      assertThat(traceparent).startsWith("00-" + upload.getTraceId() + "-");
      SpanData judge = byId.get(traceparent.split("-")[2]);
      assertThat(judge.getName()).isEqualTo("judge " + topics.predictions());
      assertThat(judge.getTraceId()).isEqualTo(upload.getTraceId());
      // … whose parent is the classifier's span of the image …
      SpanData classify = byId.get(judge.getParentSpanId());
      assertThat(classify.getName()).isEqualTo("classify " + input);
      assertThat(classify.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(classify.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("visionstream.event_id")))
          .isEqualTo(eventId.toString());
      // … whose parent is the uploader's span in the event's headers
      assertThat(classify.getParentSpanId()).isEqualTo(upload.getSpanId());
      assertThat(classify.getTraceId()).isEqualTo(upload.getTraceId());
      // the image's decode span is a child of the classifier's span, and a batch span links to it
      assertThat(spans).filteredOn(s -> s.getName().equals("decode") && s.getParentSpanId().equals(classify.getSpanId()))
          .hasSize(1);
      assertThat(linkedFromBatches).contains(classify.getSpanId());
    }
    System.out.printf("%d images, %d spans: %d inference batches linked to %d image spans%n", EVENTS, spans.size(),
        batches.size(), linkedFromBatches.size());
    provider.close();
  }

  private static PipelineSettings settings(TopicsConfig topics, String name) {
    return new PipelineSettings(topics,
        new BatchingConfig(BatchingConfig.DEFAULT_MAX_BATCH_SIZE, Duration.ofMillis(50), BatchingConfig.DEFAULT_DECODE_THREADS,
            BatchingConfig.DEFAULT_DECODE_BATCH_SIZE),
        new BackpressureConfig(BackpressureConfig.DEFAULT_MAX_IN_FLIGHT_RECORDS, BackpressureConfig.DEFAULT_MAX_IN_FLIGHT_BYTES,
            BackpressureConfig.DEFAULT_RESUME_RATIO),
        new LoadPolicyConfig(LoadPolicy.NEVER_DROP, Duration.ofSeconds(2)),
        new DeliveryConfig(DeliveryGuarantee.EXACTLY_ONCE, name + "-group", name + "-tx", Duration.ofMillis(200),
            Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60)),
        new LimitsConfig(LimitsConfig.DEFAULT_MAX_RECORD_BYTES, LimitsConfig.DEFAULT_MAX_PIXELS,
            LimitsConfig.DEFAULT_MAX_DEAD_LETTER_BYTES),
        FaultsConfig.defaults());
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(KafkaTestBroker broker, String topic, int count) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private List<TestRecord<String, ModerationDecision>> judge(List<ConsumerRecord<byte[], byte[]>> predictions,
      Tracing tracing) {
    ModerationTopology.Topics topics = new ModerationTopology.Topics(predictions.get(0).topic(), "moderation-policies",
        "moderation-policies.accepted", "moderation-policies.rejected", "moderation-decisions", "moderation-review",
        "moderation.dlq", null);
    StreamsBuilder builder = new StreamsBuilder();
    ModerationTopology.build(builder, topics, Clock.systemUTC(), new PolicyTable(), PolicyEvents.NONE, tracing);
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "moderation-tracing-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("streams").toString());
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
      TestInputTopic<String, byte[]> in = driver.createInputTopic(topics.predictions(), Serdes.String().serializer(),
          Serdes.ByteArray().serializer());
      TestOutputTopic<String, ModerationDecision> out = driver.createOutputTopic(topics.decisions(),
          Serdes.String().deserializer(), AvroSerdes.of(ModerationDecision.class).deserializer());
      for (ConsumerRecord<byte[], byte[]> prediction : predictions) {
        in.pipeInput(new TestRecord<>(new String(prediction.key(), StandardCharsets.UTF_8), prediction.value(),
            prediction.headers(), Instant.ofEpochMilli(prediction.timestamp())));
      }
      return out.readRecordsToList();
    }
  }
}
