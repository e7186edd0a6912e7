package io.visionstream.moderation.health;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.visionstream.moderation.policy.PolicyTable;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code moderationPolicies} in {@code /health}: how many sources have a policy of their own and
 * which sources' latest policy was rejected, with the reason and what judges them instead. A
 * rejected policy does not take the service down (moderation goes on, failing closed), so the
 * status stays UP; the details say what an operator has to fix.
 */
@Singleton
public class PolicyHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {

  private final PolicyTable table;

  public PolicyHealthIndicator(PolicyTable table) {
    this.table = table;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    healthStatus = HealthStatus.UP;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("policies", table.policies());
    Map<String, Object> rejected = new LinkedHashMap<>();
    table.rejected().forEach((source, r) -> rejected.put(source, Map.of("rejection", r.rejection(), "applies", r.applies())));
    details.put("rejected", rejected);
    return details;
  }

  @Override
  protected String getName() {
    return "moderationPolicies";
  }
}
