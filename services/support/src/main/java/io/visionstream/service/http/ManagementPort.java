package io.visionstream.service.http;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.core.value.PropertyResolver;
import java.util.Objects;
import java.util.Optional;

/**
 * True when the management endpoints ({@code /health} with its details, {@code /prometheus}) have
 * a port of their own ({@code endpoints.all.port}) apart from the service's public port
 * ({@code micronaut.server.port}). Set both to the same number to serve everything on one port,
 * as the tests and the one-box compose stack do.
 */
public final class ManagementPort implements Condition {

  public static final String KEY = "endpoints.all.port";
  public static final String PUBLIC_KEY = "micronaut.server.port";

  @Override
  public boolean matches(ConditionContext context) {
    return separate(context.getBeanContext() instanceof PropertyResolver resolver ? resolver : null);
  }

  /** Whether {@code properties} give the management endpoints a port other than the public one. */
  static boolean separate(PropertyResolver properties) {
    if (properties == null) {
      return false;
    }
    Optional<Integer> management = properties.getProperty(KEY, Integer.class);
    Optional<Integer> server = properties.getProperty(PUBLIC_KEY, Integer.class);
    return management.isPresent() && !Objects.equals(management, server);
  }
}
