package io.visionstream.model.inference;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * TensorFlow session options for inference. Zero thread counts keep TensorFlow's defaults
 * (measured fastest on a 2-core CPU). GPU options have no effect on a CPU-only runtime.
 *
 * @param intraOpThreads threads inside one op (0 = TensorFlow's default: one per core)
 * @param interOpThreads ops run concurrently (0 = TensorFlow's default)
 * @param cpuBf16 oneDNN bfloat16 auto mixed precision on CPUs with AVX-512 BF16 / AMX
 * @param gpuAllowGrowth allocate GPU memory as needed instead of nearly all of it at start
 * @param gpuMemoryFraction cap on the share of GPU memory (0 = no cap), in (0, 1]
 * @param xlaJit compile clusters of ops with XLA
 * @param gpuFp16 float16 auto mixed precision on GPUs (tensor cores)
 */
public record SessionSettings(int intraOpThreads, int interOpThreads, boolean cpuBf16, boolean gpuAllowGrowth,
    double gpuMemoryFraction, boolean xlaJit, boolean gpuFp16) {

  /** fp32, TensorFlow's thread defaults, GPU memory grown on demand. */
  public static final SessionSettings DEFAULT = new SessionSettings(0, 0, false, true, 0, false, false);

  public SessionSettings {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be 0 (TensorFlow's default) or positive, got intra "
          + intraOpThreads + ", inter " + interOpThreads);
    }
    if (gpuMemoryFraction < 0 || gpuMemoryFraction > 1) {
      throw new IllegalArgumentException("gpu memory fraction must be in (0, 1], or 0 for no cap; got " + gpuMemoryFraction);
    }
  }

  /** These settings with other thread counts (0: TensorFlow's default). */
  public SessionSettings withThreads(int intraOp, int interOp) {
    return new SessionSettings(intraOp, interOp, cpuBf16, gpuAllowGrowth, gpuMemoryFraction, xlaJit, gpuFp16);
  }

  public SessionSettings withCpuBf16(boolean enabled) {
    return new SessionSettings(intraOpThreads, interOpThreads, enabled, gpuAllowGrowth, gpuMemoryFraction, xlaJit, gpuFp16);
  }

  /** The session configuration; soft placement lets a graph pinned to a GPU run on a CPU-only host. */
  public ConfigProto toConfigProto() {
    RewriterConfig.Builder rewrite = RewriterConfig.newBuilder();
    if (cpuBf16) {
      rewrite.setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
    }
    if (gpuFp16) {
      rewrite.setAutoMixedPrecision(RewriterConfig.Toggle.ON);
    }
    GraphOptions.Builder graph = GraphOptions.newBuilder().setRewriteOptions(rewrite);
    if (xlaJit) {
      graph.setOptimizerOptions(OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1));
    }
    GPUOptions.Builder gpu = GPUOptions.newBuilder().setAllowGrowth(gpuAllowGrowth);
    if (gpuMemoryFraction > 0) {
      gpu.setPerProcessGpuMemoryFraction(gpuMemoryFraction);
    }
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(interOpThreads)
        .setAllowSoftPlacement(true)
        .setGpuOptions(gpu)
        .setGraphOptions(graph)
        .build();
  }
}
