package io.visionstream.schemas.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.ThresholdRule;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON form of a {@link ModerationPolicy}, for people and tools:
 *
 * <pre>{@code
 * {"version": 3,
 *  "rules": [{"label": "revolver", "class_index": null, "review_at": 0.1, "block_at": 0.4}],
 *  "any_class": {"label": null, "class_index": null, "review_at": 0.9, "block_at": null},
 *  "allow": ["tabby", "Egyptian cat"]}
 * }</pre>
 *
 * Field names are the Avro schema's. Reading is strict: an unknown field (with the nearest known
 * one suggested), a value of the wrong type or a missing {@code version} is a problem, never
 * ignored; fields left out take the schema's default (null or empty). Avro's own JSON encoding,
 * with unions wrapped as in {@code {"float": 0.4}}, is read too. Every problem of the text and of
 * the policy it describes ({@link PolicyValidator}) is reported at once.
 */
public final class PolicyJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter(Separators.createDefaultInstance()
      .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
  private static final List<String> POLICY_FIELDS = List.of("version", "rules", "any_class", "allow");
  private static final List<String> RULE_FIELDS = List.of("label", "class_index", "review_at", "block_at");

  private PolicyJson() {}

  /**
   * The policy {@code json} describes for source {@code source}.
   *
   * @throws InvalidPolicyException with every problem of the text and of the policy
   */
  public static ModerationPolicy read(String source, String json) throws InvalidPolicyException {
    List<PolicyProblem> problems = new ArrayList<>();
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      throw new InvalidPolicyException(List.of(new PolicyProblem("(json)", where, "not JSON: " + e.getOriginalMessage())));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidPolicyException(List.of(new PolicyProblem("(json)", root == null ? "empty" : root.getNodeType()
          .toString().toLowerCase(Locale.ROOT), "a policy is a JSON object")));
    }
    unknownFields(problems, "", root, POLICY_FIELDS);
    ModerationPolicy.Builder policy = ModerationPolicy.newBuilder();
    JsonNode version = root.get("version");
    if (version == null || version.isNull()) {
      problems.add(new PolicyProblem("version", "missing", "required: the policy's version, a whole number, copied "
          + "into every decision made with it"));
    } else if (!version.canConvertToLong() || !version.isIntegralNumber()) {
      problems.add(new PolicyProblem("version", version.toString(), "must be a whole number"));
    } else {
      policy.setVersion(version.longValue());
    }
    List<ThresholdRule> rules = new ArrayList<>();
    JsonNode rulesNode = root.get("rules");
    if (rulesNode != null && !rulesNode.isNull()) {
      if (!rulesNode.isArray()) {
        problems.add(new PolicyProblem("rules", rulesNode.toString(), "must be a list of rules"));
      } else {
        for (int i = 0; i < rulesNode.size(); i++) {
          ThresholdRule rule = rule(problems, "rules[" + i + "]", rulesNode.get(i));
          if (rule != null) {
            rules.add(rule);
          }
        }
      }
    }
    policy.setRules(rules);
    JsonNode any = unwrap(root.get("any_class"), "io.visionstream.schemas.ThresholdRule", "ThresholdRule");
    policy.setAnyClass(any == null || any.isNull() ? null : rule(problems, "any_class", any));
    List<String> allow = new ArrayList<>();
    JsonNode allowNode = root.get("allow");
    if (allowNode != null && !allowNode.isNull()) {
      if (!allowNode.isArray()) {
        problems.add(new PolicyProblem("allow", allowNode.toString(), "must be a list of labels"));
      } else {
        for (int i = 0; i < allowNode.size(); i++) {
          JsonNode label = allowNode.get(i);
          if (label.isTextual()) {
            allow.add(label.textValue());
          } else {
            problems.add(new PolicyProblem("allow[" + i + "]", label.toString(), "must be a label (a string)"));
          }
        }
      }
    }
    policy.setAllow(allow);
    if (!policy.hasVersion()) {
      policy.setVersion(0); // reported above; lets the rest be checked too
    }
    ModerationPolicy built = policy.build();
    problems.addAll(PolicyValidator.problems(source, built));
    if (!problems.isEmpty()) {
      throw new InvalidPolicyException(problems);
    }
    return built;
  }

  /** {@code policy} in the JSON form {@link #read} reads, indented, every field present. */
  public static String write(ModerationPolicy policy) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("version", policy.getVersion());
    ArrayNode rules = root.putArray("rules");
    policy.getRules().forEach(r -> rules.add(rule(r)));
    if (policy.getAnyClass() == null) {
      root.putNull("any_class");
    } else {
      root.set("any_class", rule(policy.getAnyClass()));
    }
    ArrayNode allow = root.putArray("allow");
    policy.getAllow().forEach(allow::add);
    try {
      return MAPPER.writer(PRINTER).writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a policy as JSON", e);
    }
  }

  private static ObjectNode rule(ThresholdRule rule) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("label", rule.getLabel());
    node.put("class_index", rule.getClassIndex());
    node.put("review_at", rule.getReviewAt());
    node.put("block_at", rule.getBlockAt());
    return node;
  }

  private static ThresholdRule rule(List<PolicyProblem> problems, String at, JsonNode node) {
    if (!node.isObject()) {
      problems.add(new PolicyProblem(at, node.toString(), "must be an object with label or class_index, review_at, block_at"));
      return null;
    }
    unknownFields(problems, at + ".", node, RULE_FIELDS);
    ThresholdRule.Builder rule = ThresholdRule.newBuilder();
    JsonNode label = unwrap(node.get("label"), "string");
    if (label != null && !label.isNull()) {
      if (label.isTextual()) {
        rule.setLabel(label.textValue());
      } else {
        problems.add(new PolicyProblem(at + ".label", label.toString(), "must be a string (or null)"));
      }
    }
    JsonNode index = unwrap(node.get("class_index"), "int");
    if (index != null && !index.isNull()) {
      if (index.isIntegralNumber() && index.canConvertToInt()) {
        rule.setClassIndex(index.intValue());
      } else {
        problems.add(new PolicyProblem(at + ".class_index", index.toString(), "must be a whole number (or null)"));
      }
    }
    rule.setReviewAt(score(problems, at + ".review_at", node.get("review_at")));
    rule.setBlockAt(score(problems, at + ".block_at", node.get("block_at")));
    return rule.build();
  }

  private static Float score(List<PolicyProblem> problems, String field, JsonNode value) {
    JsonNode node = unwrap(value, "float", "double");
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      return node.floatValue();
    }
    problems.add(new PolicyProblem(field, node.toString(), "must be a number in [0, 1] (or null)"));
    return null;
  }

  /** The value inside an Avro JSON union wrapper such as {@code {"float": 0.4}}, or {@code node} itself. */
  private static JsonNode unwrap(JsonNode node, String... branches) {
    if (node != null && node.isObject() && node.size() == 1) {
      for (String branch : branches) {
        if (node.has(branch)) {
          return node.get(branch);
        }
      }
    }
    return node;
  }

  private static void unknownFields(List<PolicyProblem> problems, String prefix, JsonNode node, List<String> known) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!known.contains(field.getKey())) {
        String near = nearest(field.getKey(), known);
        problems.add(new PolicyProblem(prefix + field.getKey(), field.getValue().toString(), "unknown field"
            + (near == null ? "" : " (did you mean " + near + "?)") + "; the fields are " + String.join(", ", known)));
      }
    }
  }

  /** The known name that {@code name} spells differently (case, underscores, hyphens), if any. */
  private static String nearest(String name, List<String> known) {
    String plain = name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    for (String candidate : known) {
      String other = candidate.replace("_", "");
      if (other.equals(plain) || (plain.length() > 3 && (other.startsWith(plain) || plain.startsWith(other)))) {
        return candidate;
      }
    }
    return null;
  }
}
