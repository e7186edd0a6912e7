package io.visionstream.classifier.model;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.visionstream.classifier.config.InvalidSettingsException;
import io.visionstream.classifier.config.ModelConfig;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.classifier.shadow.ShadowModel;
import io.visionstream.model.serving.ModelCheck;
import io.visionstream.model.serving.ServingModel;
import io.visionstream.model.serving.VersionedModels;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.function.Function;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classifier's model versions: opens {@code model.dir}, looks for a new or removed version
 * every {@code model.poll-interval} and on {@code POST /model/reload}, and reports what serves and
 * what was rejected (log, metrics {@code visionstream.model.*}, the health detail {@code model}).
 * A rejected version never serves; the serving one keeps serving through it.
 */
public final class ModelOperations implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelOperations.class);

  private final VersionedModels models;
  private final VersionedModels shadowModels;
  private final ShadowModel shadow;
  private final ScheduledExecutorService watcher;
  private final Map<VersionedModels, Counter> swaps = new java.util.IdentityHashMap<>();
  private final Map<VersionedModels, Counter> rejections = new java.util.IdentityHashMap<>();
  private final Timer loads;
  private volatile String watchFailure;

  private ModelOperations(VersionedModels models, VersionedModels shadowModels, ShadowModel shadow, Duration pollInterval,
      MeterRegistry registry) {
    this.models = models;
    this.shadowModels = shadowModels;
    this.shadow = shadow;
    this.loads = Timer.builder("visionstream.model.load").description("Loading and checking model versions, per refresh")
        .register(registry);
    for (VersionedModels m : shadowModels == null ? List.of(models) : List.of(models, shadowModels)) {
      String role = m == models ? "primary" : "shadow";
      swaps.put(m, Counter.builder("visionstream.model.swaps").description("Model versions swapped in while serving")
          .tag("role", role).register(registry));
      rejections.put(m, Counter.builder("visionstream.model.rejections")
          .description("Model versions rejected (failed to load or failed a check)").tag("role", role).register(registry));
      rejections.get(m).increment(m.startupRejections().size());
    }
    Gauge.builder("visionstream.model.version", models,
            m -> m.versioned() ? Double.parseDouble(m.serving().current().version()) : Double.NaN)
        .description("The model version serving (NaN for a single SavedModel)").register(registry);
    Gauge.builder("visionstream.model.rejected.versions", models, m -> m.rejections().size())
        .description("Versions in the model directory that are rejected now").register(registry);
    Gauge.builder("visionstream.model.open.versions", models, m -> m.serving().openVersions())
        .description("Loaded versions: the serving one and replaced ones a batch still runs on").register(registry);
    if ((models.versioned() || shadowModels != null && shadowModels.versioned()) && !pollInterval.isZero()) {
      this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "classifier-model-watch");
        thread.setDaemon(true);
        return thread;
      });
      watcher.scheduleWithFixedDelay(this::watch, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    } else {
      this.watcher = null;
    }
  }

  /**
   * Loads the version to serve.
   *
   * @throws InvalidSettingsException naming {@code model.dir} or {@code model.version} when nothing can serve
   */
  public static ModelOperations open(ModelConfig config, SessionSettings session, ClassifierModel.Options options,
      Function<ServingModel, ShadowModel> startShadow, MeterRegistry registry) {
    if (config.dir() == null || !Files.isDirectory(config.dir())) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".dir must name a SavedModel directory or a directory"
          + " of numbered versions of one (got " + config.dir() + "); build one with: deploy/local/visionstream-model build"
          + " --arch resnet50 --seed 42 --out DIR"));
    }
    if (config.pollInterval() == null || config.pollInterval().isNegative()) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".poll-interval must be 0s (look only on POST"
          + " /model/reload) or positive (got " + config.pollInterval() + ")"));
    }
    if (config.version() != null && config.version() < 0) {
      throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".version must be a version directory's number (got "
          + config.version() + ")"));
    }
    if (config.shadowDir() != null) {
      List<String> problems = new ArrayList<>();
      if (!Files.isDirectory(config.shadowDir())) {
        problems.add(ModelConfig.PREFIX + ".shadow-dir must name a SavedModel directory or a directory of numbered versions"
            + " of one (got " + config.shadowDir() + ")");
      }
      if (!(config.shadowSample() > 0 && config.shadowSample() <= 1)) {
        problems.add(ModelConfig.PREFIX + ".shadow-sample must be in (0, 1] (got " + config.shadowSample() + ")");
      }
      if (config.shadowQueue() < 1) {
        problems.add(ModelConfig.PREFIX + ".shadow-queue must be positive (got " + config.shadowQueue() + ")");
      }
      if (config.shadowTopic() == null || config.shadowTopic().isBlank()) {
        problems.add(ModelConfig.PREFIX + ".shadow-topic must name a topic");
      }
      if (!problems.isEmpty()) {
        throw new InvalidSettingsException(problems);
      }
    }
    VersionedModels models;
    try {
      models = VersionedModels.open(new VersionedModels.Settings(config.dir(), config.version(), session, options),
          Clock.systemUTC());
    } catch (RuntimeException e) {
      String key = config.version() != null ? ModelConfig.PREFIX + ".version=" + config.version() + " with "
          + ModelConfig.PREFIX + ".dir" : ModelConfig.PREFIX + ".dir";
      throw new InvalidSettingsException(List.of(key + ": " + e.getMessage()));
    }
    VersionedModels shadowModels = null;
    ShadowModel shadow = null;
    if (config.shadowDir() != null) {
      try {
        // the shadow shares the session's threads with the primary; one thread per op keeps it from taking them all
        shadowModels = VersionedModels.open(new VersionedModels.Settings(config.shadowDir(), null,
            session.withThreads(1, 1), options), Clock.systemUTC());
        String problem = ModelCheck.problem(shadowModels.serving().current().model(), models.serving().current().model());
        if (problem != null) {
          throw new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".shadow-dir=" + config.shadowDir()
              + " cannot shadow " + config.dir() + ": " + problem));
        }
        shadow = startShadow.apply(shadowModels.serving());
      } catch (RuntimeException e) {
        if (shadowModels != null) {
          shadowModels.close();
        }
        models.close();
        throw e instanceof InvalidSettingsException ? e
            : new InvalidSettingsException(List.of(ModelConfig.PREFIX + ".shadow-dir: " + e.getMessage()));
      }
      ServingModel.Version s = shadowModels.serving().current();
      log.info("Shadow model {} version {} from {} runs on {}% of the classified images; its predictions go to {}", s.name(),
          s.version(), s.dir(), config.shadowSample() * 100, config.shadowTopic());
    }
    ServingModel.Version serving = models.serving().current();
    log.info("Serving model {} version {} from {}{}", serving.name(), serving.version(), serving.dir(), models.versioned()
        ? config.version() != null ? " (pinned by " + ModelConfig.PREFIX + ".version)"
        : config.pollInterval().isZero() ? "; new versions are looked for on POST /model/reload"
        : "; new versions are looked for every " + config.pollInterval().toSeconds() + " s and on POST /model/reload" : "");
    return new ModelOperations(models, shadowModels, shadow, config.pollInterval(), registry);
  }

  /**
   * One look by the watcher. A failure here is the system's (a file system, a TensorFlow fault
   * outside a candidate's load), never a version's: it is logged and shown on health until a look
   * succeeds, and the serving version keeps serving.
   */
  private void watch() {
    try {
      reload();
      watchFailure = null;
    } catch (RuntimeException e) {
      watchFailure = "looking for model versions failed: " + e;
      log.error("Looking for model versions in {} failed; the serving version keeps serving", models.settings().dir(), e);
    }
  }

  /**
   * Looks for a version to serve instead of the serving one now, and swaps it in if it passes the
   * checks; then the same for the shadow model. Answers what happened to the primary.
   */
  public VersionedModels.Refresh reload() {
    VersionedModels.Refresh refresh = refresh(models);
    if (shadowModels != null) {
      refresh(shadowModels);
    }
    return refresh;
  }

  private VersionedModels.Refresh refresh(VersionedModels m) {
    VersionedModels.Refresh refresh = m.refresh();
    if (refresh.swapped() || !refresh.rejected().isEmpty()) {
      loads.record(Duration.ofMillis(refresh.loadMillis()));
    }
    if (refresh.swapped()) {
      swaps.get(m).increment();
    }
    rejections.get(m).increment(refresh.rejected().size());
    return refresh;
  }

  /** Where the inference worker offers classified images to the shadow model ({@link ShadowModel.Sink#NONE} without one). */
  public ShadowModel.Sink shadowSink() {
    return shadow == null ? ShadowModel.Sink.NONE : shadow.sink();
  }

  /** The model serving now, from which each batch leases its version. */
  public ServingModel serving() {
    return models.serving();
  }

  /** What serves, what was rejected and why (and the same of the shadow): the health detail and the answer of {@code GET /model}. */
  public Map<String, Object> details() {
    Map<String, Object> details = details(models);
    if (watchFailure != null) {
      details.put("watchFailure", watchFailure);
    }
    if (shadowModels != null) {
      Map<String, Object> shadowDetails = details(shadowModels);
      shadowDetails.put("top1Agreement", shadow.agreement());
      details.put("shadow", shadowDetails);
    }
    return details;
  }

  private static Map<String, Object> details(VersionedModels models) {
    ServingModel.Version serving = models.serving().current();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", serving.name());
    details.put("version", serving.version());
    details.put("dir", String.valueOf(serving.dir()));
    if (models.versioned()) {
      details.put("pinned", models.settings().pinned() != null);
    }
    Map<String, String> rejected = new LinkedHashMap<>();
    models.rejections().forEach(r -> rejected.put(r.version(), r.reason() + " (at " + r.at() + ")"));
    if (!rejected.isEmpty()) {
      details.put("rejected", rejected);
    }
    if (models.note() != null) {
      details.put("note", models.note());
    }
    return details;
  }

  /** Stops looking for versions, stops the shadow and closes the serving versions; after the pipeline has stopped. */
  @Override
  public void close() {
    if (watcher != null) {
      watcher.shutdownNow();
      try {
        watcher.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (shadow != null) {
      shadow.close();
      shadowModels.close();
    }
    models.close();
  }
}
