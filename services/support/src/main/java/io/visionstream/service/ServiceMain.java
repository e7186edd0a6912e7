package io.visionstream.service;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import io.micronaut.runtime.EmbeddedApplication;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a visionstream service starts: {@code --help} prints its usage and exits 0 without loading
 * or connecting anything; any other argument is an unknown option (usage, exit 2), since settings
 * are properties; every {@code visionstream.*} setting is checked ({@link StrictSettings}) before
 * anything starts, and every problem is printed, a few lines each, with exit code 2 and no stack
 * trace (unless debug logging is on); so is a {@link SettingsException} from the service's own
 * cross-key checks. Then the context and its server start, and SIGTERM closes them.
 */
public final class ServiceMain {

  public static final int STARTUP_FAILED = 1;
  public static final int INVALID = 2;

  private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

  private ServiceMain() {}

  /**
   * Starts the service, or exits the JVM when it must not start (help: 0; usage or settings: 2;
   * another start-up failure: 1).
   *
   * @param usage what {@code --help} prints
   */
  public static ApplicationContext start(Class<?> mainClass, String[] args, SettingsSchema schema, String usage) {
    int exit = checkArguments(args, usage, System.out, System.err);
    if (exit >= 0) {
      System.exit(exit);
    }
    Checked checked = checkSettings(mainClass, schema, System.err);
    if (checked.exit() >= 0) {
      System.exit(checked.exit());
    }
    try {
      ApplicationContextBuilder builder = ApplicationContext.builder(mainClass).deduceEnvironment(false).banner(false);
      checked.kafkaClientConfig().ifPresent(builder::propertySources);
      ApplicationContext context = builder.start();
      EmbeddedApplication<?> application = context.findBean(EmbeddedApplication.class).orElse(null);
      if (application != null) {
        application.start();
      }
      keepAliveUntilShutdown(context, application);
      return context;
    } catch (RuntimeException e) {
      SettingsException invalid = settingsProblem(e);
      if (invalid != null) {
        System.err.println("visionstream " + schema.service() + ": " + Secrets.scrub(invalid.getMessage()));
        if (log.isDebugEnabled()) {
          log.debug("Invalid settings", e);
        }
        System.exit(INVALID);
      }
      log.error("visionstream {} failed to start: {}", schema.service(), Secrets.scrub(reason(e)), e);
      System.exit(STARTUP_FAILED);
      throw e;
    }
  }

  /** -1 to go on; 0 after printing help; 2 after printing usage for an unknown argument. */
  static int checkArguments(String[] args, String usage, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      return -1;
    }
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(usage);
      return 0;
    }
    err.println("unknown option: " + String.join(" ", args) + " (settings are properties, see below)");
    err.println(usage);
    return INVALID;
  }

  /** The outcome of {@link #checkSettings}: exit code (-1 to go on) and the Kafka client configuration file's entries. */
  record Checked(int exit, Optional<PropertySource> kafkaClientConfig) {}

  /**
   * Checks every visionstream.* setting and reads the Kafka client configuration file, if the
   * service takes one: exit -1 to go on, or 2 after printing every problem.
   */
  static Checked checkSettings(Class<?> mainClass, SettingsSchema schema, PrintStream err) {
    List<SettingsProblem> problems;
    Optional<PropertySource> clientConfig = Optional.empty();
    try (ApplicationContext probe = ApplicationContext.builder(mainClass).deduceEnvironment(false).banner(false).build()) {
      Environment environment = probe.getEnvironment().start();
      problems = new ArrayList<>(StrictSettings.check(environment, schema));
      if (schema.kafkaClientConfigPrefix().isPresent()) {
        KafkaClientConfigFile.Loaded loaded = KafkaClientConfigFile.load(environment, schema.kafkaClientConfigPrefix().get());
        problems.addAll(loaded.problems());
        clientConfig = loaded.source();
      }
    }
    if (problems.isEmpty()) {
      return new Checked(-1, clientConfig);
    }
    err.println("visionstream " + schema.service() + ": invalid configuration (" + problems.size()
        + (problems.size() == 1 ? " problem" : " problems") + "), nothing started:");
    problems.forEach(p -> err.println("  " + p));
    return new Checked(INVALID, Optional.empty());
  }

  private static void keepAliveUntilShutdown(ApplicationContext context, EmbeddedApplication<?> application) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread keepAlive = new Thread(() -> {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "service-keep-alive");
    keepAlive.setDaemon(false);
    keepAlive.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (application != null && application.isRunning()) {
          application.stop();
        }
        if (context.isRunning()) {
          context.close();
        }
      } finally {
        stopped.countDown();
      }
    }, "service-shutdown"));
  }

  /** Stops the keep-alive and closes the context (for a service that ends by itself). */
  public static void stop(ApplicationContext context) {
    if (context.isRunning()) {
      context.close();
    }
  }

  /**
   * Why start-up failed, in one line: the message of the innermost failure this project's code
   * raised (which names what it was doing), rather than the framework's wrapping of it.
   */
  static String reason(Throwable e) {
    String reason = e.getMessage();
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      StackTraceElement[] frames = t.getStackTrace();
      if (t.getMessage() != null && frames.length > 0 && frames[0].getClassName().startsWith("io.visionstream.")) {
        reason = t.getMessage();
      }
    }
    return reason;
  }

  private static SettingsException settingsProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SettingsException invalid) {
        return invalid;
      }
    }
    return null;
  }
}
