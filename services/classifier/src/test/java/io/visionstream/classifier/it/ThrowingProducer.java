package io.visionstream.classifier.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/** A real producer that throws an Error from {@code send} once it has sent {@code healthySends} records. */
final class ThrowingProducer implements Producer<byte[], byte[]> {

  private final Producer<byte[], byte[]> real;
  private final int healthySends;
  private final AtomicInteger sends = new AtomicInteger();

  ThrowingProducer(Producer<byte[], byte[]> real, int healthySends) {
    this.real = real;
    this.healthySends = healthySends;
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return send(record, null);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    if (sends.incrementAndGet() > healthySends) {
      throw new AssertionError("injected Error in the sink");
    }
    return real.send(record, callback);
  }

  @Override
  public void initTransactions() {
    real.initTransactions();
  }

  @Override
  public void beginTransaction() {
    real.beginTransaction();
  }

  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata metadata) {
    real.sendOffsetsToTransaction(offsets, metadata);
  }

  @Override
  public void commitTransaction() {
    real.commitTransaction();
  }

  @Override
  public void abortTransaction() {
    real.abortTransaction();
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    real.registerMetricForSubscription(metric);
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    real.unregisterMetricFromSubscription(metric);
  }

  @Override
  public void flush() {
    real.flush();
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return real.partitionsFor(topic);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return real.metrics();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return real.clientInstanceId(timeout);
  }

  @Override
  public void close() {
    real.close();
  }

  @Override
  public void close(Duration timeout) {
    real.close(timeout);
  }
}
