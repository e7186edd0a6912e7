package io.visionstream.loadtest.cli;

import io.visionstream.classifier.config.DeliveryConfig;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.loadtest.Target;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Where the deployment under test is: a Kafka cluster running the classifier, or (by default) the local stack. */
public final class ConnectionOptions {

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
      description = "Kafka cluster running the classifier. Without it the load test starts its own local broker and classifier.")
  String bootstrapServers;

  @Option(names = "--client-config", paramLabel = "FILE",
      description = "Kafka client properties for that cluster (security.protocol, sasl.*, ssl.*, ...), applied to the "
          + "load test's producer, consumer and admin client.")
  Path clientConfig;

  @Option(names = "--input-topic", defaultValue = TopicsConfig.DEFAULT_INPUT, description = "Default: ${DEFAULT-VALUE}.")
  String inputTopic;

  @Option(names = "--predictions-topic", defaultValue = TopicsConfig.DEFAULT_PREDICTIONS, description = "Default: ${DEFAULT-VALUE}.")
  String predictionsTopic;

  @Option(names = "--dead-letter-topic", defaultValue = TopicsConfig.DEFAULT_DEAD_LETTERS, description = "Default: ${DEFAULT-VALUE}.")
  String deadLetterTopic;

  @Option(names = "--classifier-group", defaultValue = DeliveryConfig.DEFAULT_GROUP_ID,
      description = "The classifier's consumer group, watched for readiness and lag (default: ${DEFAULT-VALUE}).")
  String classifierGroup;

  @Option(names = "--await-classifier", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to wait for the classifier group to be Stable with the input topic assigned; 0s skips "
          + "the check (default: ${DEFAULT-VALUE}).")
  Duration awaitClassifier;

  public boolean local() {
    return bootstrapServers == null;
  }

  public Target target() throws IOException {
    Map<String, Object> properties = new HashMap<>();
    if (clientConfig != null) {
      if (!Files.isReadable(clientConfig)) {
        throw new IllegalArgumentException("--client-config " + clientConfig + " is not a readable file");
      }
      Properties p = new Properties();
      try (Reader reader = Files.newBufferedReader(clientConfig)) {
        p.load(reader);
      }
      p.forEach((k, v) -> properties.put(k.toString(), v));
      if (properties.containsKey("bootstrap.servers") && bootstrapServers != null) {
        properties.remove("bootstrap.servers");
      }
    }
    return new Target(bootstrapServers, properties, inputTopic, predictionsTopic, deadLetterTopic, classifierGroup);
  }

  public Duration awaitClassifier() {
    return awaitClassifier;
  }
}
