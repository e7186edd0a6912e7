package io.visionstream.moderation.topology;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Puts a dead letter's headers on the record and its original bytes as the value. */
final class ToDeadLetter<T> implements FixedKeyProcessor<String, Outcome<T>, byte[]> {
  private FixedKeyProcessorContext<String, byte[]> context;

  @Override
  public void init(FixedKeyProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, Outcome<T>> record) {
    context.forward(record.withValue(record.value().deadLetter()).withHeaders(record.value().deadLetterHeaders()));
  }
}
