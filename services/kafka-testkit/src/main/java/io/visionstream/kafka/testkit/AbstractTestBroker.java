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

  @Override
  public void createTopic(String name, int partitions) {
    try (Admin admin = Admin.create(clientConfig(Map.of()))) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
          .get(TOPIC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      admin.describeTopics(List.of(name)).allTopicNames().get(TOPIC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
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
