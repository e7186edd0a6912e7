package io.visionstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.policy.PolicyValidator;
import org.junit.jupiter.api.Test;

class DemoPoliciesTest {

  @Test
  void theDemosPoliciesPassTheModerationServicesValidation() {
    assertThat(PolicyValidator.problems("__default__", ModerationSidecar.DEFAULT_POLICY)).isEmpty();
    assertThat(PolicyValidator.problems("__default__", ModerationSidecar.NO_BAGS_POLICY)).isEmpty();
  }
}
