package io.visionstream.model.cli;

import io.visionstream.model.inference.SessionSettings;
import picocli.CommandLine.Option;

/** TensorFlow session flags shared by the commands that run a model. */
final class SessionOptions {

  @Option(names = "--intra-op-threads", defaultValue = "0", description = "Threads inside one op (0: TensorFlow's default).")
  int intraOpThreads;

  @Option(names = "--inter-op-threads", defaultValue = "0", description = "Ops run concurrently (0: TensorFlow's default).")
  int interOpThreads;

  @Option(names = "--bf16", description = "oneDNN bfloat16 auto mixed precision (CPUs with AVX-512 BF16 or AMX).")
  boolean bf16;

  @Option(names = "--gpu-memory-fraction", defaultValue = "0", description = "Cap on GPU memory share, 0 for none.")
  double gpuMemoryFraction;

  @Option(names = "--xla", description = "XLA JIT compilation.")
  boolean xla;

  @Option(names = "--gpu-fp16", description = "float16 auto mixed precision on GPUs.")
  boolean gpuFp16;

  SessionSettings settings() {
    return new SessionSettings(intraOpThreads, interOpThreads, bf16, true, gpuMemoryFraction, xla, gpuFp16);
  }
}
