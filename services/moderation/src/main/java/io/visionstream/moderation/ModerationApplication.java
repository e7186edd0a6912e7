package io.visionstream.moderation;

import io.micronaut.runtime.Micronaut;

/**
 * The moderation and tagging service: two Kafka Streams applications (see {@link StreamsFactory}),
 * {@code /tags/{sourceId}}, {@code /health} and {@code /prometheus}.
 */
public final class ModerationApplication {

  private ModerationApplication() {}

  public static void main(String[] args) {
    Micronaut.build(args).mainClass(ModerationApplication.class).banner(false).start();
  }
}
