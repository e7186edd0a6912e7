package io.visionstream.schemas.serde;

import io.visionstream.schemas.CameraTags;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.ModerationDecision;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The writer schemas a reader can resolve, by fingerprint: the schemas this build was compiled
 * with, every earlier released version listed in {@value #HISTORY_INDEX} on the classpath, and any
 * schema files the application adds (for example a newer writer's schema, registered before the
 * reader is upgraded). Immutable.
 *
 * <p>When a schema changes, copy the released {@code .avsc} into
 * {@code schemas/src/main/resources/io/visionstream/schemas/history/} and add its file name to
 * the index there, so records written by the old version stay readable.
 */
public final class SchemaCatalog {

  /** Classpath resource listing history schema files (one per line, relative to its folder). */
  public static final String HISTORY_INDEX = "io/visionstream/schemas/history/INDEX";

  /** The top-level record schemas of this build. */
  static final List<Schema> CURRENT = List.of(ImageEvent.getClassSchema(), Prediction.getClassSchema(),
      ModerationPolicy.getClassSchema(), ModerationDecision.getClassSchema(), CameraTags.getClassSchema());

  private static final SchemaCatalog BUNDLED = loadBundled();

  private final Map<Long, Schema> byFingerprint;

  private SchemaCatalog(Map<Long, Schema> byFingerprint) {
    this.byFingerprint = Collections.unmodifiableMap(byFingerprint);
  }

  /** This build's schemas and the classpath history. */
  public static SchemaCatalog bundled() {
    return BUNDLED;
  }

  /** A catalog that also knows {@code schemas}. */
  public SchemaCatalog with(Collection<Schema> schemas) {
    Map<Long, Schema> all = new HashMap<>(byFingerprint);
    for (Schema schema : schemas) {
      all.putIfAbsent(SingleObjectEncoding.fingerprint(schema), schema);
    }
    return new SchemaCatalog(all);
  }

  /**
   * A catalog that also knows the record schemas in these {@code .avsc} files; named types a file
   * uses must be defined in the same file or an earlier one.
   *
   * @throws IllegalArgumentException naming the file that cannot be read or parsed
   */
  public SchemaCatalog withFiles(List<Path> files) {
    Schema.Parser parser = new Schema.Parser();
    List<Schema> schemas = new ArrayList<>();
    for (Path file : files) {
      try {
        schemas.add(parser.parse(Files.readString(file)));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read Avro schema file " + file + ": " + e.getMessage(), e);
      }
    }
    return with(schemas);
  }

  /** The writer schema with this fingerprint, or {@code null} if unknown. */
  public Schema find(long fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  /** Fingerprints of the known versions of the named record, for error messages. */
  public List<String> versionsOf(String fullName) {
    List<String> versions = new ArrayList<>();
    byFingerprint.forEach((fp, schema) -> {
      if (schema.getFullName().equals(fullName)) {
        versions.add(SingleObjectEncoding.hex(fp));
      }
    });
    Collections.sort(versions);
    return versions;
  }

  private static SchemaCatalog loadBundled() {
    List<Schema> schemas = new ArrayList<>(CURRENT);
    ClassLoader loader = SchemaCatalog.class.getClassLoader();
    try {
      Enumeration<URL> indexes = loader.getResources(HISTORY_INDEX);
      while (indexes.hasMoreElements()) {
        URL index = indexes.nextElement();
        for (String name : entries(index)) {
          URL file = new URL(index, name);
          try (InputStream in = file.openStream()) {
            schemas.add(new Schema.Parser().parse(in));
          } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("history schema " + file + " listed in " + index
                + " cannot be read: " + e.getMessage(), e);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + HISTORY_INDEX + " resources", e);
    }
    return new SchemaCatalog(new HashMap<>()).with(schemas);
  }

  private static List<String> entries(URL index) throws IOException {
    List<String> names = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(index.openStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String name = line.strip();
        if (!name.isEmpty() && !name.startsWith("#")) {
          names.add(name);
        }
      }
    }
    return names;
  }
}
