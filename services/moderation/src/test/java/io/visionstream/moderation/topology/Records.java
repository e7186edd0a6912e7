package io.visionstream.moderation.topology;

import io.visionstream.schemas.ClassScore;
import io.visionstream.schemas.ModelRef;
import io.visionstream.schemas.ModerationPolicy;
import io.visionstream.schemas.Prediction;
import io.visionstream.schemas.PredictionStatus;
import io.visionstream.schemas.ThresholdRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Test records: predictions and policies. */
final class Records {

  private Records() {}

  /** A classified prediction of {@code source} whose top-k is {@code labelScores} (label, score, label, score, ...), class index = position + 100. */
  static Prediction prediction(String source, Instant captured, Object... labelScores) {
    List<ClassScore> top = new ArrayList<>();
    for (int i = 0; i < labelScores.length; i += 2) {
      top.add(ClassScore.newBuilder().setLabel((String) labelScores[i]).setClassIndex(index((String) labelScores[i]))
          .setScore(((Number) labelScores[i + 1]).floatValue()).build());
    }
    return Prediction.newBuilder().setEventId(UUID.randomUUID()).setSourceId(source).setCapturedAt(captured)
        .setModel(ModelRef.newBuilder().setName("resnet50").setVersion("test").build()).setStatus(PredictionStatus.CLASSIFIED)
        .setTopK(top).setBatchSize(4).setInferenceMicros(1000).setProcessedAt(captured.plusMillis(100)).build();
  }

  static Prediction skipped(String source, Instant captured) {
    return Prediction.newBuilder(prediction(source, captured)).setStatus(PredictionStatus.SKIPPED_STALE).setTopK(List.of())
        .setBatchSize(0).setInferenceMicros(0).build();
  }

  /** Class index of the test labels: "cat" 281, "revolver" 763, "tabby" 282, others 0. */
  static int index(String label) {
    return switch (label) {
      case "cat" -> 281;
      case "revolver" -> 763;
      case "tabby" -> 282;
      default -> 0;
    };
  }

  static ThresholdRule byLabel(String label, Float reviewAt, Float blockAt) {
    return ThresholdRule.newBuilder().setLabel(label).setReviewAt(reviewAt).setBlockAt(blockAt).build();
  }

  static ThresholdRule rule(String label, Integer index, Float reviewAt, Float blockAt) {
    return ThresholdRule.newBuilder().setLabel(label).setClassIndex(index).setReviewAt(reviewAt).setBlockAt(blockAt).build();
  }

  static ThresholdRule byIndex(int index, Float reviewAt, Float blockAt) {
    return ThresholdRule.newBuilder().setClassIndex(index).setReviewAt(reviewAt).setBlockAt(blockAt).build();
  }

  static ModerationPolicy policy(long version, ThresholdRule anyClass, List<String> allow, ThresholdRule... rules) {
    return ModerationPolicy.newBuilder().setVersion(version).setRules(List.of(rules)).setAnyClass(anyClass).setAllow(allow)
        .build();
  }
}
