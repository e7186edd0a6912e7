package io.visionstream.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The topics a topic set-up script creates ({@code create NAME PARTITIONS ...} lines), by name. */
record Topics(Map<String, Integer> partitionsByName) {

  private static final Pattern CREATE = Pattern.compile("(?m)^\\s*create\\s+(\\S+)\\s+(\\d+)\\b");

  /** The topics of the rendered visionstream-topics Job. */
  static Topics of(Rendered rendered) {
    return parse(rendered.get("Job", "visionstream-topics").at("/spec/template/spec/containers/0/args/0").asText());
  }

  static Topics parse(String script) {
    Map<String, Integer> topics = new LinkedHashMap<>();
    Matcher m = CREATE.matcher(script);
    while (m.find()) {
      topics.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("no `create NAME PARTITIONS` line in the topic set-up script:\n" + script);
    }
    return new Topics(topics);
  }

  Set<String> names() {
    return partitionsByName.keySet();
  }

  int partitions(String topic) {
    Integer n = partitionsByName.get(topic);
    if (n == null) {
      throw new NoSuchElementException("the topic set-up does not create " + topic + "; it creates " + names());
    }
    return n;
  }
}
