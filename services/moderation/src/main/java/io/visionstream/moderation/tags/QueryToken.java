package io.visionstream.moderation.tags;

import io.micronaut.context.annotation.Context;
import io.visionstream.moderation.config.TaggingConfig;
import io.visionstream.service.SettingsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The optional bearer token of the tag queries ({@code visionstream.tagging.query-token-file}),
 * read at start-up (a file that cannot be read or holds no usable token stops it, exit code 2). The tag query API is internal: meant for the operators' dashboards and
 * the instances themselves, on the public port, which binds to loopback unless a deployment opens
 * it; with a token, a caller must also send {@code Authorization: Bearer <token>}.
 */
@Context
public class QueryToken {

  static final String KEY = TaggingConfig.PREFIX + ".query-token-file";

  private final byte[] token;

  public QueryToken(TaggingConfig config) {
    this.token = config.queryTokenFile() == null ? null : read(config);
  }

  private static byte[] read(TaggingConfig config) {
    String text;
    try {
      text = Files.readString(config.queryTokenFile(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new SettingsException("moderation service", List.of(KEY + " = " + config.queryTokenFile() + ": cannot read it ("
          + e.getClass().getSimpleName() + "); allowed: a readable file holding the token"));
    }
    if (text.length() < 16 || text.chars().anyMatch(Character::isWhitespace)) {
      throw new SettingsException("moderation service", List.of(KEY + " = " + config.queryTokenFile() + ": allowed: a token "
          + "of at least 16 characters without spaces (the file holds " + text.length() + " characters)"));
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether queries need a token. */
  public boolean required() {
    return token != null;
  }

  /** Whether the {@code Authorization} header value admits the caller; in constant time. */
  public boolean admits(String authorization) {
    if (token == null) {
      return true;
    }
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return false;
    }
    return MessageDigest.isEqual(token, authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8));
  }

  /** The header an instance sends when it forwards a query to another, if a token is required. */
  Optional<String> header() {
    return token == null ? Optional.empty() : Optional.of("Bearer " + new String(token, StandardCharsets.UTF_8));
  }
}
