package io.visionstream.model.savedmodel;

/** What a model's score output holds: probabilities (softmax applied) or logits. */
public enum ScoresKind {
  PROBABILITIES,
  LOGITS
}
