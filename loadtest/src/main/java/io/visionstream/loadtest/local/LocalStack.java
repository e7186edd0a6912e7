package io.visionstream.loadtest.local;

import io.visionstream.model.savedmodel.Directories;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.demo.DefaultModel;
import io.visionstream.kafka.local.LocalKafkaProcess;
import io.visionstream.loadtest.Target;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployment the load test runs against by default: a Kafka broker in its own process on
 * 127.0.0.1 and the classifier service (the real Micronaut application) in this JVM, reading
 * {@code image-events} and writing {@code predictions}.
 */
public final class LocalStack implements AutoCloseable {

  private final LocalKafkaProcess broker;
  private final EmbeddedServer classifier;
  private final Path dataDir;
  private final boolean temporary;
  private final String description;

  private LocalStack(LocalKafkaProcess broker, EmbeddedServer classifier, Path dataDir, boolean temporary, String description) {
    this.broker = broker;
    this.classifier = classifier;
    this.dataDir = dataDir;
    this.temporary = temporary;
    this.description = description;
  }

  /**
   * @param model SavedModel directory, or null for the default seeded ResNet-50
   * @param dataDir broker data directory, or null for a temporary one removed on close
   * @param classifierProperties Micronaut properties of the classifier (visionstream.classifier.*)
   */
  public static LocalStack start(Path model, Path dataDir, int partitions, Map<String, String> classifierProperties,
      PrintWriter out) throws IOException {
    Path modelDir = model != null ? model : DefaultModel.ensure(out::println);
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("visionstream-loadtest-kafka-") : dataDir;
    TopicsConfig topics = topics(classifierProperties);
    out.printf("starting a local Kafka broker (its own process, data in %s) ...%n", dir);
    LocalKafkaProcess broker = LocalKafkaProcess.start(dir, 0, List.of(topics.input() + ":" + partitions,
        topics.predictions() + ":" + partitions, topics.deadLetters() + ":1"));
    try {
      Map<String, Object> properties = new HashMap<>();
      properties.put("micronaut.server.port", -1);
      properties.put("visionstream.kafka.bootstrap-servers", broker.bootstrapServers());
      properties.put("visionstream.classifier.model.dir", modelDir.toString());
      // The load test measures every frame unless told otherwise.
      properties.put("visionstream.classifier.load.policy", "never-drop");
      properties.putAll(classifierProperties);
      out.printf("broker at %s; starting the classifier with model %s ...%n", broker.bootstrapServers(), modelDir);
      EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
      StringBuilder description = new StringBuilder("local stack: classifier with ").append(modelDir.getFileName());
      classifierProperties.forEach((k, v) -> description.append(", ").append(k.replace("visionstream.classifier.", ""))
          .append('=').append(v));
      out.printf("classifier ready: health %s/health, metrics %s/prometheus%n", server.getURL(), server.getURL());
      return new LocalStack(broker, server, dir, temporary, description.toString());
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  private static TopicsConfig topics(Map<String, String> properties) {
    return new TopicsConfig(properties.getOrDefault(TopicsConfig.PREFIX + ".input", TopicsConfig.DEFAULT_INPUT),
        properties.getOrDefault(TopicsConfig.PREFIX + ".predictions", TopicsConfig.DEFAULT_PREDICTIONS),
        properties.getOrDefault(TopicsConfig.PREFIX + ".dead-letters", TopicsConfig.DEFAULT_DEAD_LETTERS));
  }

  public Target target() {
    TopicsConfig topics = classifier.getApplicationContext().getBean(TopicsConfig.class);
    String group = classifier.getApplicationContext().getBean(DeliveryConfig.class).groupId();
    return new Target(broker.bootstrapServers(), Map.of(), topics.input(), topics.predictions(), topics.deadLetters(), group);
  }

  public String description() {
    return description;
  }

  @Override
  public void close() throws IOException {
    try {
      classifier.getApplicationContext().close();
    } finally {
      broker.close();
      if (temporary) {
        Directories.deleteTree(dataDir);
      }
    }
  }
}
