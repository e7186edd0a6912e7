package io.visionstream.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;

class SessionSettingsTest {

  @Test
  void otherThreadCountsKeepEveryOtherOption() {
    SessionSettings settings = new SessionSettings(2, 1, true, false, 0.5, true, true);
    assertThat(settings.withThreads(1, 3)).isEqualTo(new SessionSettings(1, 3, true, false, 0.5, true, true));
  }

  @Test
  void everyOptionReachesTheSessionConfiguration() {
    ConfigProto config = new SessionSettings(2, 1, true, false, 0.5, true, true).toConfigProto();
    assertThat(config.getIntraOpParallelismThreads()).isEqualTo(2);
    assertThat(config.getInterOpParallelismThreads()).isEqualTo(1);
    assertThat(config.getAllowSoftPlacement()).isTrue();
    assertThat(config.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16()).isEqualTo(RewriterConfig.Toggle.ON);
    assertThat(config.getGraphOptions().getRewriteOptions().getAutoMixedPrecision()).isEqualTo(RewriterConfig.Toggle.ON);
    assertThat(config.getGraphOptions().getOptimizerOptions().getGlobalJitLevel()).isEqualTo(OptimizerOptions.GlobalJitLevel.ON_1);
    assertThat(config.getGpuOptions().getAllowGrowth()).isFalse();
    assertThat(config.getGpuOptions().getPerProcessGpuMemoryFraction()).isEqualTo(0.5);
  }

  @Test
  void defaultsLeaveTensorFlowsChoicesAndMixedPrecisionOff() {
    ConfigProto config = SessionSettings.DEFAULT.toConfigProto();
    assertThat(config.getIntraOpParallelismThreads()).isZero();
    assertThat(config.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16()).isEqualTo(RewriterConfig.Toggle.DEFAULT);
    assertThat(config.getGpuOptions().getAllowGrowth()).isTrue();
    assertThat(config.getGpuOptions().getPerProcessGpuMemoryFraction()).isZero();
  }

  @Test
  void invalidValuesAreRejected() {
    assertThatThrownBy(() -> new SessionSettings(-1, 0, false, true, 0, false, false)).hasMessageContaining("intra -1");
    assertThatThrownBy(() -> new SessionSettings(0, 0, false, true, 1.5, false, false)).hasMessageContaining("got 1.5");
  }

  @Test
  void devicesIncludeTheCpu() {
    List<Devices.Device> devices = Devices.list(SessionSettings.DEFAULT.toConfigProto());
    assertThat(devices).anyMatch(d -> d.type().equals("CPU") && d.name().endsWith("device:CPU:0"));
  }

  @Test
  void graphPinnedToAGpuRunsOnAHostWithoutOneThroughSoftPlacement() {
    boolean hasGpu = Devices.list(SessionSettings.DEFAULT.toConfigProto()).stream().anyMatch(d -> d.type().equals("GPU"));
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph).withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU).deviceIndex(0).build());
      Operand<TFloat32> sum = tf.math.add(tf.constant(2f), tf.constant(3f));
      try (Session session = new Session(graph, SessionSettings.DEFAULT.toConfigProto());
           TFloat32 result = (TFloat32) session.runner().fetch(sum).run().get(0)) {
        assertThat(result.getFloat()).isEqualTo(5f);
      }
      assertThat(graph.operation(sum.op().name()).device()).as("placement requested, GPU present: " + hasGpu).contains("GPU:0");
    }
  }
}
