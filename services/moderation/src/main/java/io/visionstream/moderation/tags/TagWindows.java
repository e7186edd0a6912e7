package io.visionstream.moderation.tags;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;

/**
 * Answer of {@code GET /tags/{sourceId}}: the source's latest windows, newest first.
 *
 * @param servedBy the instance ({@code application.server}) whose store holds the source
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TagWindows(String sourceId, String servedBy, List<Window> windows) {

  /** One tumbling window's summary; times are ISO-8601 UTC. */
  @Serdeable
  public record Window(String start, String end, long framesSeen, Map<String, Long> labelCounts) {}
}
