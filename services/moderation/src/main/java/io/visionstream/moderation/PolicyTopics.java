package io.visionstream.moderation;

import io.visionstream.moderation.topology.ModerationTopology;
import io.visionstream.service.KafkaAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The policy topics this service writes and builds its table from. Created at start-up when
 * missing, like Kafka Streams' own internal topics: the accepted-policies topic compacted (it must
 * keep every source's policy for as long as the source has one), the rejected-policies topic with
 * the broker's default retention. An accepted-policies topic that exists but is not compacted
 * stops start-up: retention would silently delete policies.
 */
final class PolicyTopics {

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private PolicyTopics() {}

  static void ensure(Map<String, Object> adminConfig, ModerationTopology.Topics topics, Optional<Short> replication) {
    KafkaAccess access = new KafkaAccess(adminConfig, null, null);
    try (Admin admin = Admin.create(adminConfig)) {
      List<NewTopic> wanted = new ArrayList<>();
      wanted.add(new NewTopic(topics.acceptedPolicies(), Optional.of(1), replication)
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
      wanted.add(new NewTopic(topics.rejectedPolicies(), Optional.of(1), replication));
      for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(wanted).values().entrySet()) {
        try {
          created.getValue().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + created.getKey() + ": "
                + access.refusal(e.getCause()).map(r -> r.replace("topic(s) []", "topic " + created.getKey()))
                    .orElse(e.getCause().getMessage()), e);
          }
        }
      }
      ConfigResource accepted = new ConfigResource(ConfigResource.Type.TOPIC, topics.acceptedPolicies());
      Config config = admin.describeConfigs(List.of(accepted)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(accepted);
      String cleanup = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
      if (!cleanup.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || cleanup.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
        throw new IllegalStateException("topic " + topics.acceptedPolicies() + " (visionstream.moderation.accepted-policies) "
            + "has cleanup.policy=" + cleanup + "; it must be compact only, or retention would delete policies that "
            + "still apply. Change it with kafka-configs --alter --add-config cleanup.policy=compact");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the policy topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot check the policy topics " + topics.acceptedPolicies() + " and "
          + topics.rejectedPolicies() + " within " + TIMEOUT.toSeconds() + " s: " + access.explain(e), e);
    }
  }
}
