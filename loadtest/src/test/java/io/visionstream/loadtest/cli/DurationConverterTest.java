package io.visionstream.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {

  @Test
  void shortFormsAndIso() {
    assertThat(DurationConverter.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2.5s")).isEqualTo(Duration.ofMillis(2500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationConverter.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DurationConverter.parse("0s")).isZero();
  }

  @Test
  void somethingElseIsNamed() {
    assertThatThrownBy(() -> DurationConverter.parse("ten seconds")).hasMessageContaining("'ten seconds' is not a duration");
  }
}
