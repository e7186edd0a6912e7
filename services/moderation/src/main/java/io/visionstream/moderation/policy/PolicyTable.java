package io.visionstream.moderation.policy;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this instance's policy table holds, for health and metrics: which sources have a policy of
 * their own (and its version), and which sources' latest policy was rejected, with the reason and
 * the policy that applies instead. Updated by the global policy table's processor on every
 * instance, so every instance reports the same; read from any thread.
 */
public final class PolicyTable {

  private record Entry(Long version, String rejection) {}

  /** A source whose latest policy was rejected: why, and what judges its predictions instead. */
  public record Rejected(String rejection, String applies) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * Records the state of {@code source}: the version of the policy it now has (null: none of its
   * own) and, when its latest policy was rejected, why (null otherwise).
   */
  public void update(String source, Long version, String rejection) {
    if (version == null && rejection == null) {
      entries.remove(source);
    } else {
      entries.put(source, new Entry(version, rejection));
    }
  }

  /** Number of sources (including {@value PolicyEvaluator#DEFAULT_KEY}) with a policy of their own. */
  public int policies() {
    return (int) entries.values().stream().filter(e -> e.version() != null).count();
  }

  /** Sources whose latest policy was rejected, sorted by source id. */
  public Map<String, Rejected> rejected() {
    Map<String, Rejected> rejected = new TreeMap<>();
    entries.forEach((source, entry) -> {
      if (entry.rejection() != null) {
        rejected.put(source, new Rejected(entry.rejection(), applies(source, entry)));
      }
    });
    return rejected;
  }

  private String applies(String source, Entry entry) {
    if (entry.version() != null) {
      return "its last valid policy, version " + entry.version();
    }
    Entry fallback = PolicyEvaluator.DEFAULT_KEY.equals(source) ? null : entries.get(PolicyEvaluator.DEFAULT_KEY);
    return fallback != null && fallback.version() != null
        ? "the " + PolicyEvaluator.DEFAULT_KEY + " policy, version " + fallback.version()
        : "the built-in policy: every classified image goes to review";
  }
}
