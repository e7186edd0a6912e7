package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** ImageEvents with real JPEG bytes through a real broker and a consumer group of two members. */
@WithKafkaBroker
class ImageEventTopicIT {

  private static final int EVENTS = 1_000;
  private static final int PARTITIONS = 4;

  @Test
  void everyEventIsConsumedOnceByteIdenticalAcrossFourPartitions(KafkaTestBroker broker) throws Exception {
    String topic = broker.uniqueTopic("image-events");
    broker.createTopic(topic, PARTITIONS);
    Map<UUID, ImageEvent> sent = produce(broker, topic);

    Map<UUID, ImageEvent> received = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<UUID> duplicates = new ConcurrentLinkedQueue<>();
    Set<Integer> partitionsSeen = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService members = Executors.newFixedThreadPool(2);
    List<Future<?>> running = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      String member = "member-" + m;
      running.add(members.submit(() -> consume(broker, topic, member, stop, record -> {
        if (received.putIfAbsent(record.value().getEventId(), record.value()) != null) {
          duplicates.add(record.value().getEventId());
        }
        partitionsSeen.add(record.partition());
      })));
    }
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> received.size() >= EVENTS);
    } finally {
      stop.set(true);
      for (Future<?> f : running) {
        f.get();
      }
      members.shutdown();
    }

    assertThat(duplicates).isEmpty();
    assertThat(received.keySet()).isEqualTo(sent.keySet());
    for (Map.Entry<UUID, ImageEvent> entry : sent.entrySet()) {
      ImageEvent back = received.get(entry.getKey());
      assertThat(back).isEqualTo(entry.getValue());
      assertThat(back.getImage().array()).startsWith((byte) 0xFF, (byte) 0xD8).isEqualTo(entry.getValue().getImage().array());
    }
    assertThat(partitionsSeen).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  private static Map<UUID, ImageEvent> produce(KafkaTestBroker broker, String topic) throws Exception {
    Random random = new Random(2026);
    List<byte[]> jpegs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      jpegs.add(TestRecords.jpeg(random, 96 + random.nextInt(200), 64 + random.nextInt(150)));
    }
    Map<UUID, ImageEvent> sent = new HashMap<>();
    Map<String, Object> config = broker.clientConfig(Map.of(ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    try (KafkaProducer<String, ImageEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
        AvroSerdes.imageEvent().serializer())) {
      List<Future<?>> acks = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        ImageEvent event = TestRecords.imageEvent(random, jpegs.get(i % jpegs.size()), ContentType.JPEG);
        event.setSourceId("camera-" + (i % 16));
        sent.put(event.getEventId(), event);
        acks.add(producer.send(new ProducerRecord<>(topic, event.getSourceId(), event)));
      }
      for (Future<?> ack : acks) {
        ack.get();
      }
    }
    return sent;
  }

  private static void consume(KafkaTestBroker broker, String topic, String member, AtomicBoolean stop,
      java.util.function.Consumer<ConsumerRecord<String, ImageEvent>> sink) {
    Map<String, Object> config = broker.clientConfig(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, topic + "-readers",
        ConsumerConfig.CLIENT_ID_CONFIG, member,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    try (KafkaConsumer<String, ImageEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        AvroSerdes.imageEvent().deserializer())) {
      consumer.subscribe(List.of(topic));
      while (!stop.get()) {
        consumer.poll(Duration.ofMillis(200)).forEach(sink);
        consumer.commitSync();
      }
    }
  }
}
