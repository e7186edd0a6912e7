package io.visionstream.model.serving;

import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.savedmodel.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions under one directory and which of them serves.
 *
 * <p>A directory holding {@code saved_model.pb} is one model, served as it is. Otherwise its
 * subdirectories named by a number ({@code 1/}, {@code 2/}, …) are versions of one model, and the
 * newest version that passes {@link ModelCheck} serves; with a pinned version, only that one.
 * {@link #refresh()} looks again: a newer version is loaded beside the serving one, checked and
 * swapped in; if the serving version's directory was removed, the newest valid older one takes
 * over. A version that fails is rejected with its reason and not tried again until its files
 * change (a version still being copied in fails, then passes once complete; moving a finished
 * directory into place avoids the failed attempt). The serving version keeps serving through any
 * rejection.
 */
public final class VersionedModels implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VersionedModels.class);

  /**
   * Where the versions are and how to load them.
   *
   * @param pinned the only version to serve, or {@code null} for the newest valid one
   */
  public record Settings(Path dir, Long pinned, SessionSettings session, ClassifierModel.Options options) {}

  /** A version that failed to load or failed a check. */
  public record Rejection(String version, String reason, Instant at) {}

  /**
   * What a refresh did.
   *
   * @param serving the version serving after it
   * @param previous the version it replaced, or {@code null} if nothing changed
   * @param rejected versions rejected by this refresh
   * @param loadMillis time spent loading and checking versions
   * @param note why nothing could change although it should have, or {@code null}
   */
  public record Refresh(String serving, String previous, List<Rejection> rejected, long loadMillis, String note) {
    public boolean swapped() {
      return previous != null;
    }
  }

  private final Settings settings;
  private final boolean versioned;
  private final Clock clock;
  private final ServingModel serving;
  private final Map<Long, String> rejectedFingerprints = new LinkedHashMap<>();
  private final Map<Long, Rejection> rejections = new LinkedHashMap<>();
  private final List<Rejection> startupRejections;
  private String note;

  private VersionedModels(Settings settings, boolean versioned, Clock clock, ServingModel serving, List<Rejection> rejected) {
    this.settings = settings;
    this.versioned = versioned;
    this.clock = clock;
    this.serving = serving;
    this.startupRejections = List.copyOf(rejected);
  }

  /**
   * Loads the model to serve: the single SavedModel, the pinned version, or the newest version
   * that passes the checks.
   *
   * @throws ModelLoadException naming each version tried and why it failed, when none can serve
   */
  public static VersionedModels open(Settings settings, Clock clock) {
    Path dir = settings.dir();
    if (!isVersioned(dir)) {
      if (settings.pinned() != null) {
        throw new ModelLoadException(dir + " is a single SavedModel, not a directory of numbered versions, so no version can"
            + " be pinned");
      }
      ClassifierModel model = ClassifierModel.load(dir, settings.session(), settings.options());
      String problem = ModelCheck.problem(model, null);
      if (problem != null) {
        model.close();
        throw new ModelLoadException("the model in " + dir + " cannot serve: " + problem);
      }
      return new VersionedModels(settings, false, clock, ServingModel.serving(ServingModel.Version.of(model, model.version(),
          dir)), List.of());
    }
    List<Long> versions = versions(dir);
    if (settings.pinned() != null) {
      versions = versions.contains(settings.pinned()) ? List.of(settings.pinned()) : List.of();
    }
    if (versions.isEmpty()) {
      throw new ModelLoadException(settings.pinned() != null ? dir + " has no version " + settings.pinned()
          : dir + " holds neither saved_model.pb nor numbered version directories (1/, 2/, …)");
    }
    List<Rejection> rejected = new ArrayList<>();
    for (long version : versions) {
      try {
        ServingModel.Version loaded = loadChecked(settings, version, null);
        VersionedModels models = new VersionedModels(settings, true, clock, ServingModel.serving(loaded), rejected);
        rejected.forEach(r -> models.remember(Long.parseLong(r.version()), r));
        return models;
      } catch (RuntimeException e) {
        log.warn("Model version {} in {} rejected: {}", version, dir, reason(e));
        rejected.add(new Rejection(Long.toString(version), reason(e), clock.instant()));
      }
    }
    StringBuilder message = new StringBuilder("no version in " + dir + " can serve:");
    rejected.forEach(r -> message.append(" version ").append(r.version()).append(": ").append(r.reason()).append(";"));
    throw new ModelLoadException(message.substring(0, message.length() - 1));
  }

  /** True when {@code dir} holds numbered versions rather than one SavedModel. */
  public static boolean isVersioned(Path dir) {
    return !Files.isRegularFile(dir.resolve("saved_model.pb"));
  }

  /** Version numbers under {@code dir}, newest first. */
  static List<Long> versions(Path dir) {
    try (Stream<Path> children = Files.list(dir)) {
      return children.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(name -> name.matches("[0-9]{1,18}"))
          .map(Long::parseLong)
          .sorted(Comparator.reverseOrder())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list model versions in " + dir, e);
    }
  }

  /**
   * Looks for a version to serve instead of the serving one and swaps it in if it passes the
   * checks; see the class comment. Only one refresh runs at a time.
   */
  public synchronized Refresh refresh() {
    ServingModel.Version now = serving.current();
    if (!versioned) {
      return new Refresh(now.version(), null, List.of(), 0, null);
    }
    long current = Long.parseLong(now.version());
    List<Long> onDisk;
    try {
      onDisk = versions(settings.dir());
    } catch (UncheckedIOException e) {
      note = e.getMessage() + ": " + e.getCause().getMessage() + "; still serving version " + current;
      return new Refresh(now.version(), null, List.of(), 0, note);
    }
    rejections.keySet().removeIf(v -> !onDisk.contains(v));
    rejectedFingerprints.keySet().removeIf(v -> !onDisk.contains(v));
    List<Long> candidates = settings.pinned() != null
        ? onDisk.stream().filter(v -> v.equals(settings.pinned())).toList() : onDisk;
    List<Rejection> rejected = new ArrayList<>();
    long start = System.nanoTime();
    for (long version : candidates) {
      if (version == current) {
        note = null;
        return new Refresh(now.version(), null, rejected, elapsedMillis(start), null);
      }
      String fingerprint = fingerprint(settings.dir().resolve(Long.toString(version)));
      if (fingerprint.equals(rejectedFingerprints.get(version))) {
        continue;
      }
      try {
        ServingModel.Version next = loadChecked(settings, version, now.model());
        long millis = elapsedMillis(start);
        serving.swap(next);
        rejections.remove(version);
        rejectedFingerprints.remove(version);
        note = null;
        log.info("Model {} version {} serves instead of version {} (loaded and checked in {} ms)", next.name(), version,
            current, millis);
        return new Refresh(next.version(), now.version(), rejected, millis, null);
      } catch (RuntimeException e) {
        Rejection rejection = new Rejection(Long.toString(version), reason(e), clock.instant());
        log.warn("Model version {} in {} rejected, version {} keeps serving: {}", version, settings.dir(), current,
            reason(e));
        remember(version, rejection);
        rejectedFingerprints.put(version, fingerprint);
        rejected.add(rejection);
      }
    }
    note = settings.pinned() != null
        ? "pinned version " + settings.pinned() + " is not in " + settings.dir() + "; still serving version " + current
        : "version " + current + " was removed from " + settings.dir() + " and no other version can serve; still serving it";
    return new Refresh(now.version(), null, rejected, elapsedMillis(start), note);
  }

  private void remember(long version, Rejection rejection) {
    rejections.put(version, rejection);
    if (!rejectedFingerprints.containsKey(version)) {
      rejectedFingerprints.put(version, fingerprint(settings.dir().resolve(Long.toString(version))));
    }
  }

  private static ServingModel.Version loadChecked(Settings settings, long version, ClassifierModel serving) {
    Path dir = settings.dir().resolve(Long.toString(version));
    ClassifierModel model = ClassifierModel.load(dir, settings.session(), settings.options());
    String problem;
    try {
      problem = ModelCheck.problem(model, serving);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    if (problem != null) {
      model.close();
      throw new ModelLoadException(problem);
    }
    return ServingModel.Version.of(model, Long.toString(version), dir);
  }

  /** Paths, sizes and modification times of every file under {@code dir}: changes when a version is rewritten. */
  static String fingerprint(Path dir) {
    StringBuilder text = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted().toList()) {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        text.append(dir.relativize(file)).append(':').append(attributes.size()).append(':')
            .append(attributes.lastModifiedTime().toMillis()).append('\n');
      }
    } catch (IOException | UncheckedIOException e) {
      text.append("unreadable: ").append(e.getMessage());
    }
    return Integer.toHexString(text.toString().hashCode()) + ":" + text.length();
  }

  private static String reason(RuntimeException e) {
    return e instanceof ModelLoadException ? e.getMessage() : e.toString();
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** The model serving now; batches lease their version from it. */
  public ServingModel serving() {
    return serving;
  }

  /** True for a directory of numbered versions; false for a single SavedModel. */
  public boolean versioned() {
    return versioned;
  }

  public Settings settings() {
    return settings;
  }

  /** Versions on disk that were rejected (at start-up or since), with their reasons; oldest rejection first. */
  public synchronized List<Rejection> rejections() {
    return List.copyOf(rejections.values());
  }

  /** Versions rejected while choosing the first one to serve. */
  public List<Rejection> startupRejections() {
    return startupRejections;
  }

  /** Why the last refresh could not do what the directory asks for (serving version removed, pinned version missing), or {@code null}. */
  public synchronized String note() {
    return note;
  }

  /** Closes the serving version once no batch holds it. */
  @Override
  public void close() {
    serving.close();
  }
}
