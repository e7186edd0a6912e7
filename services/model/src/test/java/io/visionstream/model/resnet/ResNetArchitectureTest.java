package io.visionstream.model.resnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResNetArchitectureTest {

  /** Parameter counts torchvision documents for its ResNets (weights and biases, not BN buffers). */
  @ParameterizedTest
  @CsvSource({"RESNET18, 11689512", "RESNET34, 21797672", "RESNET50, 25557032", "RESNET101, 44549160", "RESNET152, 60192808"})
  void trainableParameterCountsEqualTorchvisions(ResNetArchitecture arch, long expected) {
    long trainable = arch.parameterShapes(1000).entrySet().stream()
        .filter(e -> !e.getKey().endsWith("running_mean") && !e.getKey().endsWith("running_var"))
        .mapToLong(e -> Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact))
        .sum();
    assertThat(trainable).isEqualTo(expected);
  }

  /** torchvision's documented GFLOPS (multiply-adds) at 224×224: 1.81, 3.66, 4.09, 7.80, 11.51. */
  @ParameterizedTest
  @CsvSource({"RESNET18, 1.81", "RESNET34, 3.66", "RESNET50, 4.09", "RESNET101, 7.80", "RESNET152, 11.51"})
  void multiplyAddsMatchTorchvisionsFigures(ResNetArchitecture arch, double giga) {
    assertThat(arch.multiplyAdds(224, 1000) / 1e9).isCloseTo(giga, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void bottleneckStagesProjectOnlyTheFirstBlockAndPutTheStrideOnTheThreeByThree() {
    Map<String, long[]> shapes = ResNetArchitecture.RESNET50.parameterShapes(1000);
    assertThat(shapes).containsKeys("layer1.0.downsample.0.weight", "layer2.0.downsample.0.weight",
        "layer4.0.downsample.1.running_var").doesNotContainKeys("layer1.1.downsample.0.weight", "layer4.2.downsample.0.weight");
    assertThat(shapes.get("layer2.0.conv1.weight")).containsExactly(128, 256, 1, 1);
    assertThat(shapes.get("layer2.0.conv2.weight")).containsExactly(128, 128, 3, 3);
    assertThat(shapes.get("layer2.0.conv3.weight")).containsExactly(512, 128, 1, 1);
    assertThat(shapes.get("fc.weight")).containsExactly(1000, 2048);
    assertThat(shapes.keySet().stream().filter(k -> k.endsWith("conv3.weight"))).hasSize(16);
  }

  @Test
  void basicBlocksProjectOnlyWhereTheWidthChanges() {
    Map<String, long[]> shapes = ResNetArchitecture.RESNET18.parameterShapes(10);
    assertThat(shapes).doesNotContainKey("layer1.0.downsample.0.weight").containsKey("layer2.0.downsample.0.weight");
    assertThat(shapes.get("fc.weight")).containsExactly(10, 512);
  }

  @Test
  void parsesTorchvisionAndPaperSpellings() {
    assertThat(ResNetArchitecture.parse("resnet50")).isEqualTo(ResNetArchitecture.RESNET50);
    assertThat(ResNetArchitecture.parse("ResNet-152")).isEqualTo(ResNetArchitecture.RESNET152);
    assertThatThrownBy(() -> ResNetArchitecture.parse("resnet42")).hasMessageContaining("unknown architecture 'resnet42'");
  }
}
