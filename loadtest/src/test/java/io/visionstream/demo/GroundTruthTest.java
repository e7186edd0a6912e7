package io.visionstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class GroundTruthTest {

  @Test
  void checksEachLabelledImageOnceAndCountsTheRightOnes() {
    GroundTruth truth = new GroundTruth();
    UUID bag = UUID.randomUUID();
    UUID shirt = UUID.randomUUID();
    truth.sent(bag, "Bag");
    truth.sent(shirt, "Shirt");
    assertThat(truth.check(bag, "Bag")).isEqualTo("✓");
    assertThat(truth.check(shirt, "T-shirt/top")).isEqualTo("✗ true: Shirt");
    assertThat(truth.check(bag, "Bag")).as("a duplicate prediction is not counted twice").isNull();
    assertThat(truth.check(UUID.randomUUID(), "Bag")).as("an image sent without a label").isNull();
    assertThat(truth.summary()).isEqualTo("right 1 of 2 (50.0%)");
  }
}
