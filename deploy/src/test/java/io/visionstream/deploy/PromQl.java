package io.visionstream.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a PromQL expression reads. */
final class PromQl {

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern LABEL_LIST = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
      "ignoring", "group_left", "group_right", "inf", "nan");

  private PromQl() {}

  static Set<String> metricNames(String expression) {
    String rest = STRING.matcher(expression).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = LABEL_LIST.matcher(rest).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      String token = m.group();
      int after = m.end();
      while (after < rest.length() && rest.charAt(after) == ' ') {
        after++;
      }
      boolean function = after < rest.length() && rest.charAt(after) == '(';
      boolean variable = m.start() > 0 && rest.charAt(m.start() - 1) == '$';
      boolean number = m.start() > 0 && Character.isDigit(rest.charAt(m.start() - 1));
      if (!function && !variable && !number && !KEYWORDS.contains(token.toLowerCase(java.util.Locale.ROOT))) {
        names.add(token);
      }
    }
    return names;
  }
}
