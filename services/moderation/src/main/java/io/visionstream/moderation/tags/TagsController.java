package io.visionstream.moderation.tags;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/** {@code GET /tags/{sourceId}?limit=N}: the source's latest tag windows, from whichever instance holds them. */
@Controller("/tags")
public class TagsController {

  private final TagQueries queries;

  public TagsController(TagQueries queries) {
    this.queries = queries;
  }

  @Get("/{sourceId}")
  @ExecuteOn(TaskExecutors.BLOCKING)
  public HttpResponse<?> tags(@PathVariable String sourceId, @QueryValue(defaultValue = "0") int limit,
      @QueryValue(defaultValue = "false") boolean local) {
    try {
      return HttpResponse.ok(queries.query(sourceId, limit, local));
    } catch (TagQueries.Unavailable e) {
      return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", e.getMessage()));
    }
  }
}
