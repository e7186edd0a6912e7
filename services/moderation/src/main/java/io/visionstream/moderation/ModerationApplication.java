package io.visionstream.moderation;

import io.visionstream.moderation.config.ModerationSettings;
import io.visionstream.service.ServiceMain;

/**
 * The moderation and tagging service: two Kafka Streams applications (see {@link StreamsFactory}),
 * {@code /tags/{sourceId}}, {@code /health} and {@code /prometheus}. Its settings are checked before
 * anything starts ({@link ModerationSettings}).
 */
public final class ModerationApplication {

  private ModerationApplication() {}

  public static void main(String[] args) {
    ServiceMain.start(ModerationApplication.class, args, ModerationSettings.SCHEMA, ModerationSettings.USAGE);
  }
}
