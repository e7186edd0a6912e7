package io.visionstream.service.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.management.health.indicator.HealthResult;
import java.util.Map;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * {@code GET /health} on the public port, for load balancers and anonymous callers: the status and
 * nothing else (200 UP, 503 otherwise). The details (which stage is failing and why, which
 * principal the brokers refused) are only on the management port, which binds to the same host as
 * the public port (127.0.0.1 unless {@code micronaut.server.host} says otherwise).
 */
@Controller
@Requires(condition = ManagementPort.class)
public class PublicHealth {

  private final HealthEndpoint health;

  public PublicHealth(HealthEndpoint health) {
    this.health = health;
  }

  @Get("/health")
  public Publisher<MutableHttpResponse<Map<String, String>>> health() {
    return Mono.from(health.getHealth(null)).map(PublicHealth::statusOnly);
  }

  static MutableHttpResponse<Map<String, String>> statusOnly(HealthResult result) {
    boolean up = result.getStatus().getOperational().orElse(true);
    return HttpResponse.<Map<String, String>>status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
        .body(Map.of("status", result.getStatus().getName()));
  }
}
