package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.classifier.config.BackpressureConfig;
import io.visionstream.classifier.config.BatchingConfig;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.KafkaClientsConfig;
import io.visionstream.classifier.config.LimitsConfig;
import io.visionstream.classifier.config.PipelineSettings;
import io.visionstream.classifier.config.TestSettings;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.preprocess.PreprocessingMode;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.schemas.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model slower than Kafka delivers events (ResNet-18 at 224×224, 400 events waiting): in-flight
 * records and bytes stay within the budget, partitions are paused and resumed, and the consumer
 * stays in its group throughout.
 */
@WithKafkaBroker
class BackpressureIT {

  private static final int EVENTS = 400;
  private static final int PARTITIONS = 4;
  private static ClassifierModel model;

  @BeforeAll
  static void loadModel() {
    model = ClassifierModel.load(Fixtures.slowModel(), SessionSettings.DEFAULT, ClassifierModel.Options.NONE);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  /** What the test saw while the pipeline ran. */
  private static final class Observations {
    final AtomicLong maxRecords = new AtomicLong();
    final AtomicLong maxBytes = new AtomicLong();
    final ConcurrentLinkedQueue<Set<TopicPartition>> paused = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> groups = new ConcurrentLinkedQueue<>();
  }

  @Test
  void recordBudgetPausesAndResumesAllPartitionsWithoutLeavingTheGroup(KafkaTestBroker broker) throws Exception {
    run(broker, new BackpressureConfig(24, 256L << 20, 0.5), LimitsConfig.DEFAULT_MAX_RECORD_BYTES);
  }

  @Test
  void byteBudgetPausesBeforeTheRecordBudgetIsReached(KafkaTestBroker broker) throws Exception {
    long perRecord = 50_000 + 224L * 224 * 3 * 4;
    Observations seen = run(broker, new BackpressureConfig(1000, 6 * perRecord, 0.5), 50_000);
    assertThat(seen.maxRecords.get()).as("bytes, not records, limited the work in flight").isLessThanOrEqualTo(6);
  }

  private Observations run(KafkaTestBroker broker, BackpressureConfig budget, int maxRecordBytes) throws Exception {
    TopicsConfig topics = new TopicsConfig(broker.uniqueTopic("bp"), broker.uniqueTopic("bp-predictions"), broker.uniqueTopic("bp-dlq"));
    broker.createTopic(topics.input(), PARTITIONS);
    broker.createTopic(topics.predictions(), PARTITIONS);
    broker.createTopic(topics.deadLetters(), 1);
    String group = broker.uniqueTopic("bp-group");
    PipelineSettings settings = TestSettings.defaults();
    settings = TestSettings.with(settings, topics);
    settings = TestSettings.with(settings, TestSettings.delivery(DeliveryGuarantee.AT_LEAST_ONCE, group, "unused"));
    settings = TestSettings.with(settings, new BatchingConfig(4, Duration.ofMillis(20), 1, 4));
    settings = TestSettings.with(settings, budget);
    settings = TestSettings.with(settings, new LimitsConfig(maxRecordBytes, LimitsConfig.DEFAULT_MAX_PIXELS,
        LimitsConfig.DEFAULT_MAX_DEAD_LETTER_BYTES));
    List<byte[]> frames = Fixtures.jpegs(8, 40);
    assertThat(Fixtures.jpegScales(model.preprocessing(), 8, 40)).as("JPEG scales in %s mode", Fixtures.MODE)
        .containsExactlyElementsOf(Fixtures.MODE == PreprocessingMode.FAST ? List.of(1, 2) : List.of(1));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String source = "camera-" + i % 8;
      records.add(new ProducerRecord<>(topics.input(), source.getBytes(StandardCharsets.UTF_8),
          Fixtures.encode(Fixtures.event(source, frames.get(i % frames.size()), ContentType.JPEG, Instant.now(), Map.of()))));
    }
    try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
    }

    Observations seen = new Observations();
    AtomicBoolean watching = new AtomicBoolean(true);
    try (ClassifierPipeline pipeline = ClassifierPipeline.start(settings,
        new KafkaClientsConfig(broker.bootstrapServers(), Map.of(), Map.of(), Map.of()), ServingModel.fixed(model),
        Fixtures.options(), 3, SessionSettings.DEFAULT,
        new SimpleMeterRegistry(), Clock.systemUTC(), ClassifierPipeline.Overrides.NONE);
        Admin admin = Admin.create(broker.clientConfig(Map.of()))) {
      Thread sampler = new Thread(() -> {
        while (watching.get()) {
          seen.maxRecords.accumulateAndGet(pipeline.budget().records(), Math::max);
          seen.maxBytes.accumulateAndGet(pipeline.budget().bytes(), Math::max);
          seen.paused.add(pipeline.pausedPartitions());
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (pipeline.metrics().count(io.visionstream.classifier.work.Outcome.Kind.CLASSIFIED) < EVENTS
          && System.nanoTime() < deadline) {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
        seen.groups.add(description.groupState() + "/" + description.members().size());
        Thread.sleep(200);
      }
      watching.set(false);
      sampler.join();

      assertThat(pipeline.metrics().count(io.visionstream.classifier.work.Outcome.Kind.CLASSIFIED)).isEqualTo(EVENTS);
      assertThat(pipeline.budget().peakRecords()).isLessThanOrEqualTo(budget.maxInFlightRecords());
      assertThat(pipeline.budget().peakBytes()).isLessThanOrEqualTo(budget.maxInFlightBytes());
      assertThat(seen.maxRecords.get()).isPositive().isLessThanOrEqualTo(budget.maxInFlightRecords());
      assertThat(seen.maxBytes.get()).isLessThanOrEqualTo(budget.maxInFlightBytes());
      assertThat(seen.paused).as("consumer.paused() showed every partition paused").anyMatch(p -> p.size() == PARTITIONS);
      assertThat(pipeline.pollLoop().pauses()).isPositive();
      assertThat(pipeline.pollLoop().resumes()).isPositive();
      assertThat(pipeline.pausedPartitions()).as("resumed at the end").isEmpty();
      assertThat(pipeline.pollLoop().revocations()).as("no rebalance took partitions away").isZero();
      assertThat(seen.groups).isNotEmpty().allMatch(g -> g.equals(GroupState.STABLE + "/1"));
    }
    return seen;
  }
}
