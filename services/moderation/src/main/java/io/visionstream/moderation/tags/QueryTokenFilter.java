package io.visionstream.moderation.tags;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Map;

/** Answers 401 to a tag query without the token, when {@link QueryToken} requires one. */
@ServerFilter("/tags/**")
public class QueryTokenFilter {

  private final QueryToken token;

  public QueryTokenFilter(QueryToken token) {
    this.token = token;
  }

  /** Null (go on) when the caller is admitted. */
  @RequestFilter
  @Nullable
  public HttpResponse<?> check(HttpRequest<?> request) {
    if (token.admits(request.getHeaders().get(HttpHeaders.AUTHORIZATION))) {
      return null;
    }
    return HttpResponse.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .body(Map.of("error", "tag queries need Authorization: Bearer <the token in visionstream.tagging.query-token-file>"));
  }
}
