package io.visionstream.kafka.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic handling shared by the embedded and the container broker. Closed by JUnit at the end of the run. */
abstract class AbstractTestBroker implements KafkaTestBroker, AutoCloseable {

  private static final long TOPIC_TIMEOUT_SECONDS = 30;
  private final AtomicInteger topics = new AtomicInteger();

  @Override
  public Map<String, Object> clientConfig(Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(extra);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return config;
  }

  /** Creates the topic and waits until metadata shows a leader for every partition (creation returns earlier). */
  @Override
  public void createTopic(String name, int partitions) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TOPIC_TIMEOUT_SECONDS);
    try (Admin admin = Admin.create(clientConfig(Map.of()))) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
          .get(TOPIC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      while (true) {
        try {
          TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
              .get(TOPIC_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(name);
          if (description.partitions().size() == partitions && description.partitions().stream().allMatch(p -> p.leader() != null)) {
            return;
          }
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
            throw e;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("topic " + name + " has no leader for every partition after " + TOPIC_TIMEOUT_SECONDS + " s");
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topic " + name + " on " + bootstrapServers(), e);
    }
  }

  @Override
  public String uniqueTopic(String prefix) {
    return prefix + "-" + topics.incrementAndGet();
  }
}
