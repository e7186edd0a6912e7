package io.visionstream.kafka.local;

import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each user may do on the secured local broker: least privilege for the services' default
 * topic, group and transactional-id names, everything else denied (KRaft's StandardAuthorizer
 * with {@code allow.everyone.if.no.acl.found=false}). READ and WRITE imply DESCRIBE. {@code admin}
 * is the super user and has no ACLs. The table in services/local-kafka/README.md is {@link #RULES}.
 */
public final class LocalKafkaAcls {

  /** One ACL: {@code user} may {@code operation} on the resource, and why. */
  public record Rule(User user, ResourceType type, String name, PatternType pattern, AclOperation operation, String why) {

    AclBinding binding() {
      return new AclBinding(new ResourcePattern(type, name, pattern),
          new AccessControlEntry(user.principal(), "*", operation, AclPermissionType.ALLOW));
    }
  }

  public static final List<Rule> RULES = List.of(
      topic(User.CLASSIFIER, "image-events", AclOperation.READ, "consume image events"),
      group(User.CLASSIFIER, "visionstream-classifier", "its consumer group"),
      topic(User.CLASSIFIER, "predictions", AclOperation.WRITE, "write predictions"),
      topic(User.CLASSIFIER, "image-events.dlq", AclOperation.WRITE, "write dead letters"),
      topic(User.CLASSIFIER, "predictions.shadow", AclOperation.WRITE, "write a shadow model's predictions"),
      new Rule(User.CLASSIFIER, ResourceType.TRANSACTIONAL_ID, "visionstream-classifier-", PatternType.PREFIXED,
          AclOperation.WRITE, "exactly-once: its transactional ids"),

      topic(User.MODERATION, "predictions", AclOperation.READ, "judge and tag predictions"),
      topic(User.MODERATION, "image-events.dlq", AclOperation.READ, "NOT_CLASSIFIED decisions for dead letters"),
      topic(User.MODERATION, "moderation-policies", AclOperation.READ, "read policies"),
      new Rule(User.MODERATION, ResourceType.TOPIC, "moderation-policies", PatternType.PREFIXED, AclOperation.DESCRIBE_CONFIGS,
          "check that the policy topics are compacted"),
      new Rule(User.MODERATION, ResourceType.TOPIC, "moderation-policies.", PatternType.PREFIXED, AclOperation.CREATE,
          "create the accepted and rejected policy topics when missing"),
      topic(User.MODERATION, "moderation-policies.accepted", AclOperation.READ, "the policy table (global store)"),
      topic(User.MODERATION, "moderation-policies.accepted", AclOperation.WRITE, "accepted policies"),
      topic(User.MODERATION, "moderation-policies.rejected", AclOperation.WRITE, "rejected policies"),
      topic(User.MODERATION, "moderation-decisions", AclOperation.WRITE, "decisions"),
      topic(User.MODERATION, "moderation-review", AclOperation.WRITE, "decisions for review"),
      topic(User.MODERATION, "moderation.dlq", AclOperation.WRITE, "moderation's dead letters"),
      topic(User.MODERATION, "tagging.dlq", AclOperation.WRITE, "tagging's dead letters"),
      topic(User.MODERATION, "camera-tags", AclOperation.WRITE, "tag summaries"),
      new Rule(User.MODERATION, ResourceType.TOPIC, "visionstream-moderation-", PatternType.PREFIXED, AclOperation.ALL,
          "its internal topics (changelogs, repartitions)"),
      new Rule(User.MODERATION, ResourceType.TOPIC, "visionstream-tagging-", PatternType.PREFIXED, AclOperation.ALL,
          "its internal topics (changelogs, repartitions)"),
      group(User.MODERATION, "visionstream-moderation", "the moderation application's group"),
      group(User.MODERATION, "visionstream-tagging", "the tagging application's group"),
      new Rule(User.MODERATION, ResourceType.TRANSACTIONAL_ID, "visionstream-moderation-", PatternType.PREFIXED,
          AclOperation.WRITE, "exactly_once_v2 transactions"),
      new Rule(User.MODERATION, ResourceType.TRANSACTIONAL_ID, "visionstream-tagging-", PatternType.PREFIXED,
          AclOperation.WRITE, "exactly_once_v2 transactions"),

      topic(User.LOADTEST, "image-events", AclOperation.WRITE, "send image events"),
      topic(User.LOADTEST, "predictions", AclOperation.READ, "read predictions"),
      topic(User.LOADTEST, "image-events.dlq", AclOperation.READ, "read dead letters"),
      new Rule(User.LOADTEST, ResourceType.GROUP, "visionstream-classifier", PatternType.LITERAL, AclOperation.DESCRIBE,
          "the classifier group's lag and readiness"));

  private LocalKafkaAcls() {}

  /** Creates every rule (creating one that exists changes nothing). */
  public static void create(Admin admin) {
    try {
      admin.createAcls(RULES.stream().map(Rule::binding).toList()).all().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating ACLs", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the local broker's ACLs: " + e.getMessage(), e);
    }
  }

  private static Rule topic(User user, String topic, AclOperation operation, String why) {
    return new Rule(user, ResourceType.TOPIC, topic, PatternType.LITERAL, operation, why);
  }

  private static Rule group(User user, String group, String why) {
    return new Rule(user, ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ, why);
  }
}
