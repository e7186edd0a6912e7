package io.visionstream.moderation.policy;

import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.policy.PolicyCheck;
import io.visionstream.schemas.policy.PolicyHeaders;
import io.visionstream.schemas.serde.DeadLetterHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global policy table from the accepted-policies topic, on every instance, and on a
 * restart rebuilds it by running every record through here again (Kafka Streams reprocesses a
 * global store's topic through its processor on restore). It checks each record once more: a value
 * that is not a valid policy (written there by something other than {@link PolicyScreen}) is
 * ignored with an error, and the table keeps what it had. Rejections the screen reported
 * ({@link PolicyHeaders#REJECTED}) go to the {@link PolicyTable} that health reads.
 */
public final class PolicyTableUpdate implements Processor<String, byte[], Void, Void> {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyTableUpdate.class);

  private final String storeName;
  private final PolicyTable table;
  private ProcessorContext<Void, Void> context;
  private KeyValueStore<String, ModerationPolicy> store;

  public PolicyTableUpdate(String storeName, PolicyTable table) {
    this.storeName = storeName;
    this.table = table;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = context.recordMetadata().map(m -> m.topic()).orElse(null);
    PolicyCheck check = PolicyCheck.of(topic, record.key(), record.value());
    String rejection = DeadLetterHeaders.get(record.headers(), PolicyHeaders.REJECTED);
    if (check.isRejected()) {
      String where = context.recordMetadata().map(m -> m.topic() + " partition " + m.partition() + " offset " + m.offset())
          .orElse("?");
      LOG.error("Ignored a record for source {} at {} that is not a valid policy (it was not written by the moderation "
          + "service's policy screen): {}", record.key(), where, check.rejection().summary());
      if (record.key() == null) {
        return;
      }
      rejection = "ignored an invalid record at " + where + ": " + check.rejection().summary();
    } else if (check.isDeletion()) {
      store.delete(record.key());
    } else {
      store.put(record.key(), check.policy());
    }
    ModerationPolicy current = store.get(record.key());
    table.update(record.key(), current == null ? null : current.getVersion(), rejection);
  }
}
