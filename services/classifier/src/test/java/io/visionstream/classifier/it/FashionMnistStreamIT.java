package io.visionstream.classifier.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.visionstream.kafka.testkit.KafkaTestBroker;
import io.visionstream.kafka.testkit.WithKafkaBroker;
import io.visionstream.model.eval.DatasetClassifier;
import io.visionstream.model.eval.Evaluation;
import io.visionstream.model.inference.BatchRunner;
import io.visionstream.model.inference.SessionSettings;
import io.visionstream.model.savedmodel.ClassifierModel;
import io.visionstream.model.train.Batches;
import io.visionstream.model.train.FashionMnist;
import io.visionstream.model.train.FashionMnistModel;
import io.visionstream.model.train.LabelledImages;
import io.visionstream.schemas.ContentType;
import io.visionstream.schemas.ImageEvent;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Fashion-MNIST model served by the classifier service: all 10,000 test images (from
 * Debian's dataset-fashion-mnist, which .ci/run installs) streamed through Kafka as PNG uploads
 * give, event by event, the predictions that offline evaluation gives, and so the same accuracy.
 */
@WithKafkaBroker
class FashionMnistStreamIT {

  @Test
  void streamedTestSetGetsExactlyTheOfflinePredictions(KafkaTestBroker broker, @TempDir Path dir) throws Exception {
    assumeThat(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz")).as("Debian's dataset-fashion-mnist").exists();
    Path model = FashionMnistModel.ensure(dir.resolve("model"), System.out::println);
    LabelledImages test = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST);
    assertThat(test.count()).isEqualTo(10_000);

    DatasetClassifier.Prediction[] offline;
    try (ClassifierModel loaded = ClassifierModel.load(model, SessionSettings.DEFAULT, ClassifierModel.Options.NONE)) {
      offline = DatasetClassifier.classify(new BatchRunner(loaded), new Batches(test, loaded.preprocessing()), 16);
    }
    Evaluation offlineEvaluation = DatasetClassifier.evaluate(offline, test.classes());

    String input = broker.uniqueTopic("fashion-mnist");
    broker.createTopic(input, 4);
    broker.createTopic(input + "-predictions", 4);
    broker.createTopic(input + "-dlq", 1);
    Map<UUID, Integer> indexOf = new HashMap<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < test.count(); i++) {
      UUID id = UUID.nameUUIDFromBytes(FashionMnist.eventId(FashionMnist.Split.TEST, i).getBytes(StandardCharsets.UTF_8));
      indexOf.put(id, i);
      String source = "uploads-" + (i % 8);
      records.add(new ProducerRecord<>(input, source.getBytes(StandardCharsets.UTF_8), Fixtures.encode(
          ImageEvent.newBuilder(Fixtures.event(source, test.png(i), ContentType.PNG, Instant.now(), Map.of())).setEventId(id)
              .build())));
    }

    Map<String, Object> properties = Fixtures.serviceProperties(broker, input, model);
    properties.put("visionstream.classifier.delivery.guarantee", "exactly-once");
    properties.put("visionstream.classifier.load.policy", "never-drop");
    List<ConsumerRecord<byte[], byte[]>> out;
    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Fixtures.onePort(properties));
        KafkaProducer<byte[], byte[]> producer = Fixtures.producer(broker)) {
      Fixtures.send(producer, records);
      out = Fixtures.read(broker, input + "-predictions", test.count(), Duration.ofMinutes(5), true);
    }

    assertThat(out).hasSize(test.count());
    Evaluation streamed = new Evaluation(test.classes());
    Map<Integer, Prediction> byIndex = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : out) {
      Prediction p = Fixtures.prediction(record);
      Integer index = indexOf.get(p.getEventId());
      assertThat(index).as("prediction for an event that was not sent: %s", p.getEventId()).isNotNull();
      assertThat(byIndex.put(index, p)).as("second prediction for image %d", index).isNull();
      assertThat(p.getStatus()).isEqualTo(PredictionStatus.CLASSIFIED);
    }
    int sameScore = 0;
    for (int i = 0; i < test.count(); i++) {
      Prediction p = byIndex.get(i);
      var top = p.getTopK().get(0);
      assertThat(top.getClassIndex()).as("image %d", i).isEqualTo(offline[i].predicted());
      assertThat(top.getLabel()).isEqualTo(test.classes().get(offline[i].predicted()));
      assertThat(top.getScore()).as("image %d", i).isCloseTo(offline[i].score(), org.assertj.core.data.Offset.offset(1e-5f));
      if (top.getScore() == offline[i].score()) {
        sameScore++;
      }
      streamed.add(test.labels()[i], top.getClassIndex());
    }
    System.out.printf("10,000 streamed: accuracy %.4f (offline %.4f); %d of 10,000 top-1 scores bit-identical%n",
        streamed.accuracy(), offlineEvaluation.accuracy(), sameScore);
    assertThat(streamed.correct()).isEqualTo(offlineEvaluation.correct());
    assertThat(streamed.report()).isEqualTo(offlineEvaluation.report());
    assertThat(Files.exists(model.resolve("visionstream-model.json"))).isTrue();
  }
}
