package io.visionstream.loadtest.it;

import io.visionstream.schemas.serde.DeadLetterHeaders;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A stand-in for the classifier whose speed and faults a test controls: it reads ImageEvents one
 * at a time as a member of a consumer group, spends {@code serviceTime} on each, and answers the
 * n-th event it reads as {@code behaviour} says: a prediction, nothing, a prediction twice, a
 * dead letter, or a SKIPPED_STALE prediction. Everything goes through the real broker.
 */
final class Responder implements AutoCloseable {

  enum Behaviour { CLASSIFY, DROP, DUPLICATE, DEAD_LETTER, SKIP }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread thread;
  private final AtomicLong handled = new AtomicLong();
  private volatile boolean running = true;

  Responder(KafkaTestBroker broker, String input, String predictions, String deadLetters, String group, Duration serviceTime,
      LongFunction<Behaviour> behaviour) {
    consumer = new KafkaConsumer<>(broker.clientConfig(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
        ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 200)), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    producer = new KafkaProducer<>(broker.clientConfig(Map.of("linger.ms", 0)), new ByteArraySerializer(),
        new ByteArraySerializer());
    consumer.subscribe(List.of(input));
    thread = new Thread(() -> {
      try {
        while (running) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
            sleep(serviceTime);
            answer(record, behaviour.apply(handled.getAndIncrement()), predictions, deadLetters);
          }
        }
      } catch (WakeupException e) {
        // closing
      } finally {
        consumer.close(Duration.ofSeconds(2));
      }
    }, "responder");
    thread.start();
  }

  private void answer(ConsumerRecord<byte[], byte[]> record, Behaviour behaviour, String predictions, String deadLetters) {
    ImageEvent event = AvroSerdes.imageEvent().deserializer().deserialize(record.topic(), record.value());
    switch (behaviour) {
      case DROP -> { }
      case DEAD_LETTER -> {
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(deadLetters, record.key(), record.value());
        dead.headers().add(DeadLetterHeaders.EVENT_ID, event.getEventId().toString().getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DeadLetterHeaders.REASON, "IMAGE_REJECTED".getBytes(StandardCharsets.UTF_8));
        producer.send(dead);
      }
      default -> {
        boolean skip = behaviour == Behaviour.SKIP;
        Prediction prediction = Prediction.newBuilder().setEventId(event.getEventId()).setSourceId(event.getSourceId())
            .setCapturedAt(event.getCapturedAt()).setModel(ModelRef.newBuilder().setName("responder").setVersion("1").build())
            .setStatus(skip ? PredictionStatus.SKIPPED_STALE : PredictionStatus.CLASSIFIED)
            .setTopK(skip ? List.of() : List.of(ClassScore.newBuilder().setClassIndex(1).setLabel("one").setScore(0.9f).build()))
            .setBatchSize(skip ? 0 : 1).setInferenceMicros(skip ? 0 : 1000).setProcessedAt(Instant.now()).build();
        byte[] value = AvroSerdes.prediction().serializer().serialize(predictions, prediction);
        producer.send(new ProducerRecord<>(predictions, record.key(), value));
        if (behaviour == Behaviour.DUPLICATE) {
          producer.send(new ProducerRecord<>(predictions, record.key(), value));
        }
      }
    }
    producer.flush();
  }

  long handled() {
    return handled.get();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
    producer.close(Duration.ofSeconds(5));
  }
}
