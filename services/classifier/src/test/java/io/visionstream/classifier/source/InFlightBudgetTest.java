package io.visionstream.classifier.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InFlightBudgetTest {

  @Test
  void admitsUntilEitherLimitWouldBeExceeded() {
    InFlightBudget budget = new InFlightBudget(3, 1000, 0.5);
    assertThat(budget.tryAcquire(400)).isTrue();
    assertThat(budget.tryAcquire(400)).isTrue();
    assertThat(budget.tryAcquire(300)).as("bytes would exceed 1000").isFalse();
    assertThat(budget.tryAcquire(100)).isTrue();
    assertThat(budget.tryAcquire(1)).as("a fourth record").isFalse();
    assertThat(budget.records()).isEqualTo(3);
    assertThat(budget.bytes()).isEqualTo(900);
    assertThat(budget.peakRecords()).isEqualTo(3);
  }

  @Test
  void recordLargerThanTheWholeBudgetIsAdmittedOnlyAlone() {
    InFlightBudget budget = new InFlightBudget(10, 1000, 0.5);
    assertThat(budget.tryAcquire(10)).isTrue();
    assertThat(budget.tryAcquire(5000)).isFalse();
    budget.release(10);
    assertThat(budget.tryAcquire(5000)).as("nothing else in flight").isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
  }

  @Test
  void resumeMarkNeedsBothRecordsAndBytesLowEnough() {
    InFlightBudget budget = new InFlightBudget(4, 1000, 0.5);
    budget.tryAcquire(100);
    budget.tryAcquire(100);
    assertThat(budget.belowResumeMark()).isTrue();
    budget.tryAcquire(100);
    assertThat(budget.belowResumeMark()).as("3 of 4 records").isFalse();
    budget.release(100);
    budget.release(100);
    budget.tryAcquire(600);
    assertThat(budget.belowResumeMark()).as("700 of 1000 bytes").isFalse();
  }

  @Test
  void releasingMoreThanTakenIsABug() {
    InFlightBudget budget = new InFlightBudget(4, 1000, 0.5);
    assertThatThrownBy(() -> budget.release(1)).isInstanceOf(IllegalStateException.class);
  }
}
