package io.visionstream.kafka.testkit;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real Kafka broker per test run (per JUnit engine execution), shared by every test
 * class that uses it, and stops it when the run ends.
 *
 * <p>Which broker is chosen by the configuration parameter (or system property)
 * {@value #BROKER_PARAMETER}:
 * <ul>
 *   <li>{@code embedded} (default): {@code LocalKafkaBroker} in this JVM, Apache Kafka 4.1.1 KRaft
 *       on 127.0.0.1, free ports, storage in a temporary directory deleted afterwards;</li>
 *   <li>{@code container}: a Testcontainers broker of the same Kafka version as the clients on the
 *       classpath, on the host's network and loopback ports: {@code apache/kafka} if present,
 *       else the project's stand-in {@code visionstream/kafka-standin} (override the image with
 *       {@value #IMAGE_PARAMETER}). Without a Docker engine, or with no such image present (the kit
 *       never pulls), the tests that need it are skipped with that reason, not failed.</li>
 * </ul>
 *
 * <p>A {@link SecureKafkaTestBroker} parameter gets the run's secured broker instead (always
 * embedded): SASL_SSL, one SCRAM user per component, deny-by-default ACLs.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

  public static final String BROKER_PARAMETER = "visionstream.test.kafka";
  public static final String IMAGE_PARAMETER = "visionstream.test.kafka.image";

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    broker(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KafkaTestBroker.class || type == SecureKafkaTestBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == SecureKafkaTestBroker.class) {
      return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("secure", k -> SecureEmbeddedBroker.start(),
          AbstractTestBroker.class);
    }
    return broker(context);
  }

  private static KafkaTestBroker broker(ExtensionContext context) {
    String kind = context.getConfigurationParameter(BROKER_PARAMETER).orElse("embedded").strip();
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    if (kind.equals("embedded")) {
      return store.getOrComputeIfAbsent(kind, k -> EmbeddedBroker.start(), AbstractTestBroker.class);
    }
    if (!kind.equals("container")) {
      throw new ExtensionConfigurationException(BROKER_PARAMETER + "=" + kind + " is not a broker kind: use embedded or container");
    }
    Assumptions.assumeTrue(ContainerBroker.dockerAvailable(),
        "visionstream.test.kafka=container needs a Docker engine, and none is reachable; skipping");
    List<String> candidates = context.getConfigurationParameter(IMAGE_PARAMETER).map(List::of)
        .orElse(ContainerBroker.defaultImages());
    Optional<String> image = ContainerBroker.firstPresent(candidates);
    Assumptions.assumeTrue(image.isPresent(), () -> ContainerBroker.noImageReason(candidates));
    return store.getOrComputeIfAbsent(kind, k -> ContainerBroker.start(image.get()), AbstractTestBroker.class);
  }
}
