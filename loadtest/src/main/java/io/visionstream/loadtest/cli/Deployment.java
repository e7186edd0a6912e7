package io.visionstream.loadtest.cli;

import io.visionstream.demo.DefaultModel;
import io.visionstream.loadtest.Target;
import io.visionstream.loadtest.local.LocalStack;
import io.visionstream.loadtest.measure.LagProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** The deployment under test, opened once per command: the given cluster, or a local stack started for the run. */
final class Deployment implements AutoCloseable {

  private final LocalStack stack;
  private final Target target;
  private final String description;
  private final LagProbe lag;

  private Deployment(LocalStack stack, Target target, String description) {
    this.stack = stack;
    this.target = target;
    this.description = description;
    this.lag = new LagProbe(target);
  }

  /** @param fashionMnist the run sends Fashion-MNIST images: a local stack serves the trained Fashion-MNIST model */
  static Deployment open(ConnectionOptions connection, LocalOptions local, boolean fashionMnist, PrintWriter out)
      throws IOException, InterruptedException {
    Deployment deployment;
    if (connection.local()) {
      Path model = local.model() != null || !fashionMnist ? local.model() : DefaultModel.ensureFashionMnist(out::println);
      LocalStack stack = LocalStack.start(model, local.dataDir(), local.partitions(), local.classifierProperties(), out);
      deployment = new Deployment(stack, stack.target(), stack.description());
    } else {
      Target target = connection.target();
      deployment = new Deployment(null, target, "cluster " + target.bootstrapServers());
    }
    if (!connection.awaitClassifier().isZero()) {
      out.printf("waiting for consumer group %s to read %s ...%n", deployment.target.classifierGroup(),
          deployment.target.inputTopic());
      String problem = deployment.lag.awaitClassifier(connection.awaitClassifier());
      if (problem != null) {
        deployment.close();
        throw new IllegalStateException(problem);
      }
    }
    return deployment;
  }

  Target target() {
    return target;
  }

  String description() {
    return description;
  }

  LagProbe lag() {
    return lag;
  }

  @Override
  public void close() throws IOException {
    lag.close();
    if (stack != null) {
      stack.close();
    }
  }
}
