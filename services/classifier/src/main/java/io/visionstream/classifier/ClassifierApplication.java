package io.visionstream.classifier;

import io.micronaut.context.ApplicationContext;
import io.visionstream.classifier.config.ClassifierSettings;
import io.visionstream.classifier.lifecycle.State;
import io.visionstream.classifier.pipeline.ClassifierPipeline;
import io.visionstream.service.ServiceMain;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the classifier service; configuration in application.yml, environment variables and
 * system properties. Exit codes: 0 after a clean stop (SIGTERM), 1 when the pipeline failed (an
 * orchestrator should restart it), 2 when the configuration is invalid.
 */
public final class ClassifierApplication {

  private static final Logger log = LoggerFactory.getLogger(ClassifierApplication.class);
  static final int FAILED = 1;

  private ClassifierApplication() {}

  public static void main(String[] args) {
    ApplicationContext context = ServiceMain.start(ClassifierApplication.class, args, ClassifierSettings.SCHEMA,
        ClassifierSettings.USAGE);
    ClassifierService service = context.getBean(ClassifierService.class);
    int status = awaitEnd(service.pipeline());
    if (status != 0) {
      exit(context, status, service.pipeline().failure());
    }
  }

  /** Blocks until the pipeline is CLOSED or FAILED; returns the exit code for it: 0 or 1. */
  public static int awaitEnd(ClassifierPipeline pipeline) {
    try {
      while (!pipeline.awaitEnd(Duration.ofDays(1))) {
        // keep waiting
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    return pipeline.state() == State.FAILED ? FAILED : 0;
  }

  /** Closes the context (draining what it can) and exits; a close that hangs is cut off after a minute. */
  private static void exit(ApplicationContext context, int status, Throwable cause) {
    log.error("Exiting with status {}: {}", status, cause == null ? "the pipeline failed" : cause.getMessage());
    Thread deadline = new Thread(() -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(status);
    }, "classifier-exit-deadline");
    deadline.setDaemon(true);
    deadline.start();
    try {
      context.close();
    } finally {
      System.exit(status);
    }
  }
}
