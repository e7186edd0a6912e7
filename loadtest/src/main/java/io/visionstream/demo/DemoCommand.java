package io.visionstream.demo;

import io.visionstream.model.train.FashionMnistModel;
import io.visionstream.model.train.LabelledImages;
import io.visionstream.schemas.ContentType;
import io.visionstream.model.savedmodel.Directories;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.classifier.ClassifierService;
import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.LoadPolicy;
import io.visionstream.classifier.config.TopicsConfig;
import io.visionstream.classifier.work.Outcome;
import io.visionstream.loadtest.frames.Resolution;
import io.visionstream.kafka.local.LocalKafkaProcess;
import io.visionstream.kafka.local.LocalKafkaSecurity.User;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The visionstream demo: a local Kafka broker in its own process, the classifier service, and a
 * few simulated cameras streaming JPEG frames (or, with {@code --fashion-mnist}, upload feeds of
 * Fashion-MNIST images served by the trained model); predictions are printed as they arrive. Ends after
 * {@code --seconds} once every frame sent has its prediction, or runs until Ctrl-C with
 * {@code --forever}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs a local broker, the classifier and simulated cameras, and prints predictions as they arrive.")
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--seconds", defaultValue = "30", description = "How long the cameras stream (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--forever", description = "Stream until Ctrl-C.")
  boolean forever;

  @Option(names = "--cameras", defaultValue = "3", description = "Simulated cameras (default: ${DEFAULT-VALUE}).")
  int cameras;

  @Option(names = "--fps", paramLabel = "FPS", description = "Frames per second per camera (default: 3, or 2 on a machine "
      + "with 2 cores or fewer, so that it keeps up).")
  double fps = Double.NaN;

  @Option(names = "--resolution", defaultValue = "640x480", converter = Resolutions.class, arity = "1", paramLabel = "WxH",
      description = "Frame size WIDTHxHEIGHT (default: ${DEFAULT-VALUE}).")
  Resolution resolution;

  @Option(names = "--model", description = "SavedModel to serve (default: a seeded ResNet-50, built on first use).")
  Path model;

  @Option(names = "--fashion-mnist", description = "Serve the Fashion-MNIST ResNet-18 trained by this project (rebuilt from "
      + "the weights shipped in the repo on first use) and stream Fashion-MNIST test images as PNG uploads; each prediction "
      + "is printed with the image's true class, and moderation blocks bags.")
  boolean fashionMnist;

  @Option(names = "--data-dir", description = "Broker data directory (default: a temporary one, removed at the end).")
  Path dataDir;

  @Option(names = "--guarantee", defaultValue = "exactly-once", converter = KebabEnums.Guarantee.class,
      description = "at-least-once or exactly-once (default: ${DEFAULT-VALUE}).")
  DeliveryGuarantee guarantee;

  @Option(names = "--policy", converter = KebabEnums.Policy.class, description = "never-drop or drop-stale (default: "
      + "drop-stale for cameras, never-drop for --fashion-mnist uploads).")
  LoadPolicy policy;

  @Option(names = "--preprocessing-mode", description = "exact or fast: JPEGs decoded at a DCT scale (default: fast for "
      + "cameras, exact for --fashion-mnist uploads).")
  String preprocessingMode;

  @Option(names = "--secure", description = "Run everything over the broker's secured listener (SASL_SSL, SCRAM-SHA-512, "
      + "deny-by-default ACLs): each component logs in as its own user.")
  boolean secure;

  @Option(names = "--quiet", description = "Print only the summary line, not every prediction.")
  boolean quiet;

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "demo-logback.xml");
    }
    System.exit(new CommandLine(new DemoCommand()).execute(args));
  }

  /** {@code WIDTHxHEIGHT}, as {@link Resolution#parse} reads it. */
  public static final class Resolutions implements CommandLine.ITypeConverter<Resolution> {
    @Override
    public Resolution convert(String value) {
      try {
        return Resolution.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    int width = resolution.width();
    int height = resolution.height();
    if (policy == null) {
      policy = fashionMnist ? LoadPolicy.NEVER_DROP : LoadPolicy.DROP_STALE;
    }
    if (preprocessingMode == null) {
      preprocessingMode = fashionMnist ? "exact" : "fast";
    }
    if (Double.isNaN(fps)) {
      fps = Runtime.getRuntime().availableProcessors() <= 2 ? 2.0 : 3.0;
    }
    if (!(fps > 0) || cameras <= 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--fps and --cameras must be positive (got "
          + fps + " and " + cameras + ")");
    }
    Path modelDir = model != null ? model
        : fashionMnist ? DefaultModel.ensureFashionMnist(out::println) : DefaultModel.ensure(out::println);
    boolean temporary = dataDir == null;
    Path brokerDir = temporary ? Files.createTempDirectory("visionstream-demo-kafka-") : dataDir;
    TopicsConfig topics = TopicsConfig.defaults();
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        finished.await(90, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.printf("starting a local Kafka broker (its own process, data in %s) ...%n", brokerDir);
    String moderationClasspath = ModerationSidecar.classpath();
    List<String> topicList = new ArrayList<>(List.of(topics.input() + ":4", topics.predictions() + ":4",
        topics.deadLetters() + ":1"));
    if (moderationClasspath != null) {
      topicList.addAll(ModerationSidecar.TOPICS);
    }
    try (LocalKafkaProcess broker = LocalKafkaProcess.start(brokerDir, 0, topicList, secure)) {
      if (secure) {
        out.printf("broker at %s: SASL_SSL with SCRAM-SHA-512 and deny-by-default ACLs; each component logs in as its own "
            + "user, with the client configuration files in %s%n", broker.bootstrapServers(), broker.security().dir());
      }
      out.printf("broker at %s; starting the classifier (%s, %s, %s preprocessing) with model %s ...%n",
          broker.bootstrapServers(), KebabEnums.name(guarantee), KebabEnums.name(policy), preprocessingMode, modelDir);
      int exit;
      try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, classifierProperties(broker, modelDir))) {
        out.printf("classifier ready: health %s/health, metrics %s/prometheus%n", server.getURL(), server.getURL());
        ModerationSidecar moderation = null;
        if (moderationClasspath != null) {
          out.println(fashionMnist
              ? "starting the moderation and tagging service (its own process) with a no-bags policy: a Bag goes to review "
                  + "from 0.5, is blocked from 0.9 ..."
              : "starting the moderation and tagging service (its own process) with a default policy: review from 0.5, "
                  + "block from 0.9 ...");
          moderation = ModerationSidecar.start(moderationClasspath, broker.clientConfig(User.ADMIN),
              secure ? broker.security().clientConfigFile(User.MODERATION) : null, brokerDir.resolve("moderation"),
              fashionMnist ? ModerationSidecar.NO_BAGS_POLICY : ModerationSidecar.DEFAULT_POLICY);
          out.printf("moderation ready: tags %s/tags/{source}, health %s/health%n", moderation.url(), moderation.url());
        } else {
          out.println("(moderation not started: run the demo with deploy/local/demo to see decisions)");
        }
        try {
          exit = stream(out, broker, server.getApplicationContext().getBean(ClassifierService.class), width, height, stop,
              moderation);
        } finally {
          if (moderation != null) {
            moderation.close();
          }
        }
        out.println("stopping the classifier (drains in-flight work, commits) and the broker ...");
      }
      return exit;
    } finally {
      if (temporary) {
        Directories.deleteTree(brokerDir);
      }
      finished.countDown();
    }
  }

  private int stream(PrintStream out, LocalKafkaProcess broker, ClassifierService service, int width, int height,
      CountDownLatch stop, ModerationSidecar moderation) throws Exception {
    AtomicLong sent = new AtomicLong();
    GroundTruth truth = fashionMnist ? new GroundTruth() : null;
    ScheduledExecutorService clock = Executors.newScheduledThreadPool(1);
    // the cameras send as the load test's user: it may write image-events and nothing else
    Map<String, Object> cameraClient = broker.clientConfig(User.LOADTEST);
    cameraClient.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(cameraClient, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      List<SimulatedCamera> fleet = fashionMnist ? uploadFeeds(out, producer, sent, truth) : new ArrayList<>();
      if (!fashionMnist) {
        out.printf("rendering frames for %d cameras (%dx%d JPEG) ...%n", cameras, width, height);
        for (int c = 0; c < cameras; c++) {
          fleet.add(new SimulatedCamera("camera-" + (c + 1), SyntheticScenes.frames(c + 1, 24, width, height, 0.85f), producer,
              TopicsConfig.DEFAULT_INPUT, sent));
        }
      }
      boolean terminal = System.console() != null;
      PredictionPrinter printer = new PredictionPrinter(broker.clientConfig(User.ADMIN), TopicsConfig.DEFAULT_PREDICTIONS, out,
          terminal, quiet, sent, service.pipeline(), truth);
      Thread printing = new Thread(printer, "demo-printer");
      printing.start();
      DecisionPrinter decisions = moderation == null ? null : new DecisionPrinter(broker.clientConfig(User.ADMIN), printer, quiet);
      Thread deciding = decisions == null ? null : new Thread(decisions, "demo-decisions");
      if (deciding != null) {
        deciding.start();
      }
      long periodMicros = (long) (1_000_000 / fps);
      for (int c = 0; c < fleet.size(); c++) {
        SimulatedCamera camera = fleet.get(c);
        clock.scheduleAtFixedRate(camera::capture, c * periodMicros / fleet.size(), periodMicros, TimeUnit.MICROSECONDS);
      }
      out.printf(forever ? "streaming; Ctrl-C stops%n" : "streaming for %d s%n", seconds);
      if (model == null && !fashionMnist) {
        out.println("(seeded weights: the labels are arbitrary; deploy/local/demo --fashion-mnist serves a trained model)");
      }
      if (forever) {
        stop.await();
      } else {
        stop.await(seconds, TimeUnit.SECONDS);
      }
      clock.shutdownNow();
      producer.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (printer.received() < sent.get() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      while (decisions != null && decisions.decided() < printer.received() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      printer.stop();
      printing.join();
      printer.status(true);
      explainSkipped(out, service, sent.get());
      if (decisions != null) {
        decisions.stop();
        deciding.join();
        out.printf("decisions: %d of %d frames judged (%s)%n", decisions.decided(), sent.get(), decisions.summary());
        String first = fleet.get(0).sourceId();
        out.printf("tags of %s (10 s windows), from %s/tags/%s:%n  %s%n", first, moderation.url(), first,
            moderation.tags(first));
        if (decisions.decided() < printer.received()) {
          out.printf("%d predictions got no decision within 120 s%n", printer.received() - decisions.decided());
          return 1;
        }
      }
      if (printer.received() < sent.get()) {
        out.printf("%d of %d frames got no prediction within 120 s%n", sent.get() - printer.received(), sent.get());
        return 1;
      }
      out.printf("every one of the %d frames sent got its prediction%s%n", sent.get(),
          truth == null ? "" : "; the top class was " + truth.summary());
      return 0;
    }
  }

  /**
   * Says why frames were skipped, if any were: under drop-stale a frame that waited longer than the
   * maximum frame age is not classified, because the cameras sent more than this machine classifies.
   */
  private void explainSkipped(PrintStream out, ClassifierService service, long sent) {
    double skipped = service.pipeline().metrics().count(Outcome.Kind.SKIPPED);
    if (skipped <= 0) {
      return;
    }
    double classified = service.pipeline().metrics().count(Outcome.Kind.CLASSIFIED);
    double streamed = forever ? Math.max(1, sent / (cameras * fps)) : seconds;
    out.printf(java.util.Locale.ROOT, "%.0f of %d frames were skipped as stale (SKIPPED_STALE): under drop-stale, a frame older "
        + "than the classifier's max-frame-age (%s) when its turn comes is not classified. The %d cameras sent %.1f frames/s; "
        + "this machine classified about %.1f/s. To classify them all: --policy never-drop (every frame, later), fewer "
        + "--cameras, or a lower --fps.%n", skipped, sent,
        service.pipeline().settings().load().maxFrameAge().toMillis() / 1000.0 + " s", cameras, cameras * fps,
        classified / streamed);
  }

  /**
   * One upload feed per camera, each cycling through its share of the 500 Fashion-MNIST test images
   * shipped with the model library, sent as 28×28 grayscale PNGs.
   */
  private List<SimulatedCamera> uploadFeeds(PrintStream out, KafkaProducer<byte[], byte[]> producer, AtomicLong sent,
      GroundTruth truth) throws java.io.IOException {
    LabelledImages sample = FashionMnistModel.testSample();
    out.printf("%d upload feeds of Fashion-MNIST test images (%d shipped, 28x28 PNG) ...%n", cameras, sample.count());
    List<SimulatedCamera> feeds = new ArrayList<>();
    for (int c = 0; c < cameras; c++) {
      List<byte[]> images = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      for (int i = c; i < sample.count(); i += cameras) {
        images.add(sample.png(i));
        labels.add(sample.classes().get(sample.labels()[i]));
      }
      feeds.add(new SimulatedCamera("uploads-" + (c + 1), images, ContentType.PNG, labels, truth, producer,
          TopicsConfig.DEFAULT_INPUT, sent));
    }
    return feeds;
  }

  private Map<String, Object> classifierProperties(LocalKafkaProcess broker, Path modelDir) throws java.io.IOException {
    Map<String, Object> properties = new HashMap<>();
    int port = freePort();
    // one port on loopback for the status and the management endpoints
    properties.put("micronaut.server.port", port);
    properties.put("endpoints.all.port", port);
    properties.put("visionstream.kafka.bootstrap-servers", broker.bootstrapServers());
    if (broker.secure()) {
      // in this JVM: the classifier's login as properties, as its client configuration file would give them
      broker.security().clientConfig(User.CLASSIFIER).forEach((k, v) -> properties.put("visionstream.kafka.properties." + k, v));
    }
    properties.put("visionstream.classifier.model.dir", modelDir.toString());
    properties.put("visionstream.classifier.delivery.guarantee", guarantee.name());
    properties.put("visionstream.classifier.load.policy", policy.name());
    properties.put("visionstream.classifier.model.preprocessing-mode", preprocessingMode);
    return properties;
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
