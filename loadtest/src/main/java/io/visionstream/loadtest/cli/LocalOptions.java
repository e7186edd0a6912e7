package io.visionstream.loadtest.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** How the local stack's classifier runs; ignored with --bootstrap-servers. */
public final class LocalOptions {

  @Option(names = "--model", paramLabel = "DIR",
      description = "Local stack: SavedModel the classifier serves (default: a seeded ResNet-50, built on first use in .local/models).")
  Path model;

  @Option(names = "--bf16", description = "Local stack: oneDNN bfloat16 auto mixed precision.")
  boolean bf16;

  @Option(names = "--max-batch-size", paramLabel = "N", description = "Local stack: the classifier's micro-batch size.")
  Integer maxBatchSize;

  @Option(names = "--partitions", defaultValue = "4", description = "Local stack: partitions of the input and predictions topics (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Local stack: broker data directory (default: a temporary one).")
  Path dataDir;

  @Option(names = {"-P", "--classifier-property"}, paramLabel = "KEY=VALUE",
      description = "Local stack: any classifier setting, e.g. -P visionstream.classifier.load.policy=drop-stale.")
  Map<String, String> properties = new LinkedHashMap<>();

  public Map<String, String> classifierProperties() {
    Map<String, String> all = new LinkedHashMap<>();
    if (bf16) {
      all.put("visionstream.classifier.model.bf16", "true");
    }
    if (maxBatchSize != null) {
      all.put("visionstream.classifier.batching.max-batch-size", maxBatchSize.toString());
    }
    all.putAll(properties);
    return all;
  }

  public Path model() {
    return model;
  }

  public Path dataDir() {
    return dataDir;
  }

  public int partitions() {
    return partitions;
  }
}
