package io.visionstream.model.train;

import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.resnet.Stem;
import io.visionstream.model.weights.WeightSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.nn.SparseSoftmaxCrossEntropyWithLogits;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A ResNet training graph in TensorFlow Java graph mode: the network of {@link ResNetBuilder#logits}
 * with trainable variables, softmax cross-entropy, gradients from TensorFlow's gradient registry,
 * and SGD with momentum and weight decay as PyTorch's {@code torch.optim.SGD} computes it
 * ({@code b ← μ·b + g + λ·w; w ← w − lr·b}, decay on convolution and linear weights only).
 *
 * <p>Batch norm runs in training mode (batch statistics) in {@link #step} and updates the running
 * mean and variance as torchvision does ({@code r ← (1 − m)·r + m·batch}, m = 0.1, the batch variance
 * unbiased); {@link #logits} runs it in inference mode on the running statistics. Parameters for
 * which {@code frozen} holds are neither updated nor decayed, and a frozen layer's batch norm stays in
 * inference mode, so a frozen backbone is left bit for bit as it was.
 *
 * <p>Parameters are graph variables named as torchvision names them; {@link #state} reads them back
 * in torchvision's layout. Not thread-safe.
 */
public final class TrainingGraph implements AutoCloseable {

  /** torchvision's BatchNorm2d momentum. */
  public static final float BN_MOMENTUM = 0.1f;

  /**
   * @param momentum SGD momentum μ
   * @param weightDecay L2 penalty λ on convolution and linear weights
   */
  public record Hyper(float momentum, float weightDecay) {}

  /** A parameter or buffer, its torchvision shape, and its variable (TensorFlow layout). */
  private record Param(String name, long[] shape, Variable<TFloat32> variable, Variable<TFloat32> momentum) {}

  private final Graph graph;
  private final Session session;
  private final Map<String, Param> params = new LinkedHashMap<>();
  private final List<ResNetBuilder.InitialValue> inits = new ArrayList<>();
  private final Placeholder<TFloat32> images;
  private final Placeholder<TInt32> labels;
  private final Placeholder<TFloat32> learningRate;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> trainLogits;
  private final Operand<TFloat32> evalLogits;
  private final Variable<TInt64> step;
  private final Op train;
  private final Placeholder<TInt64> stepValue;
  private final Op setStep;

  /**
   * @param weights initial parameters and running statistics (torchvision names and layouts)
   * @param momentumBuffers SGD momentum per trainable parameter (torchvision layout), or empty for zeros
   * @param frozen parameters (by torchvision name) that training leaves alone
   */
  public TrainingGraph(ResNetArchitecture arch, int classes, Stem stem, int width, int inputSize, WeightSource weights,
      Map<String, float[]> momentumBuffers, Predicate<String> frozen, Hyper hyper) {
    Map<String, long[]> shapes = arch.parameterShapes(classes, stem, width);
    weights.check(shapes);
    this.graph = new Graph();
    Ops tf = Ops.create(graph);
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      boolean trainable = trains(name, frozen);
      float[] values = weights.values(name, shape);
      Variable<TFloat32> variable = variable(tf, name, tfShape(shape), toTensorFlow(values, shape));
      Variable<TFloat32> buffer = null;
      if (trainable) {
        float[] m = momentumBuffers.get(name);
        buffer = variable(tf, name + ".momentum_buffer", tfShape(shape),
            m == null ? new float[values.length] : toTensorFlow(m, shape));
      }
      params.put(name, new Param(name, shape, variable, buffer));
    }
    this.step = tf.withName("global_step").variable(Shape.scalar(), TInt64.class);
    this.stepValue = tf.withName("global_step_value").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    this.setStep = tf.withName("set_global_step").assign(step, stepValue);

    this.images = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, inputSize, inputSize, 3)));
    this.labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    this.learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

    List<Op> statisticUpdates = new ArrayList<>();
    Ops train = tf.withSubScope("train");
    this.trainLogits = ResNetBuilder.logits(train, arch, stem, shapes, images, layers(train, true, frozen, statisticUpdates));
    Ops eval = tf.withSubScope("eval");
    this.evalLogits = ResNetBuilder.logits(eval, arch, stem, shapes, images, layers(eval, false, frozen, null));

    SparseSoftmaxCrossEntropyWithLogits<TFloat32> xent = train.nn.sparseSoftmaxCrossEntropyWithLogits(trainLogits, labels);
    this.loss = train.withName("loss").math.mean(xent.loss(), train.constant(0));
    // d(mean loss)/d logits = (softmax − one-hot) / N, which the cross-entropy op already computes.
    Operand<TFloat32> batch = train.dtypes.cast(train.shape.size(labels, train.constant(0)), TFloat32.class);
    Operand<TFloat32> dLogits = train.math.div(xent.backprop(), batch);
    List<Param> trainable = params.values().stream().filter(p -> p.momentum() != null).toList();
    if (trainable.isEmpty()) {
      throw new IllegalArgumentException("every parameter is frozen: nothing to train");
    }
    Gradients gradients = train.gradients(List.of(trainLogits), trainable.stream().map(Param::variable).toList(),
        Gradients.dx(List.of(dLogits)));
    // Every update waits for every gradient: variables are updated in place, and a backward op
    // still reading a weight must not see it half-updated.
    List<org.tensorflow.op.core.Identity<TFloat32>> grads = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      grads.add(train.identity(gradients.<TFloat32>dy(i)));
    }
    Ops update = train.withSubScope("update").withControlDependencies(List.<Op>copyOf(grads));
    List<Op> updates = new ArrayList<>(statisticUpdates.size() + trainable.size() + 1);
    Operand<TFloat32> mu = update.constant(hyper.momentum());
    Operand<TFloat32> decay = update.constant(hyper.weightDecay());
    for (int i = 0; i < trainable.size(); i++) {
      Param p = trainable.get(i);
      Operand<TFloat32> g = grads.get(i);
      if (isDecayed(p.shape()) && hyper.weightDecay() != 0) {
        g = update.math.add(g, update.math.mul(decay, p.variable()));
      }
      updates.add(update.train.applyMomentum(p.variable(), p.momentum(), learningRate, g, mu));
    }
    for (Op statistic : statisticUpdates) {
      updates.add(statistic);
    }
    updates.add(update.assignAdd(step, update.constant(1L)));
    this.train = tf.withName("train_step").withControlDependencies(updates).noOp();
    this.session = new Session(graph);
    ResNetBuilder.assign(session, inits);
    inits.clear();
    setStep(0);
  }

  private ResNetBuilder.Layers layers(Ops tf, boolean training, Predicate<String> frozen, List<Op> statisticUpdates) {
    return new ResNetBuilder.Layers() {
      @Override
      public Operand<TFloat32> convBn(Operand<TFloat32> x, String conv, String bn, int stride, int pad) {
        if (pad > 0) {
          x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), tf.constant(0f));
        }
        Operand<TFloat32> y = tf.nn.conv2d(x, params.get(conv + ".weight").variable(),
            List.of(1L, (long) stride, (long) stride, 1L), "VALID");
        Variable<TFloat32> mean = params.get(bn + ".running_mean").variable();
        Variable<TFloat32> variance = params.get(bn + ".running_var").variable();
        boolean batchStatistics = training && !frozen.test(bn + ".weight");
        FusedBatchNorm<TFloat32, TFloat32> norm = tf.nn.fusedBatchNorm(y, params.get(bn + ".weight").variable(),
            params.get(bn + ".bias").variable(), batchStatistics ? tf.constant(new float[0]) : mean,
            batchStatistics ? tf.constant(new float[0]) : variance, FusedBatchNorm.epsilon((float) ResNetBuilder.BN_EPSILON),
            FusedBatchNorm.isTraining(batchStatistics), FusedBatchNorm.dataFormat("NHWC"));
        if (batchStatistics) {
          statisticUpdates.add(movingAverage(tf, mean, norm.batchMean()));
          statisticUpdates.add(movingAverage(tf, variance, norm.batchVariance()));
        }
        return norm.y();
      }

      @Override
      public Operand<TFloat32> fullyConnected(Operand<TFloat32> features) {
        return tf.nn.biasAdd(tf.linalg.matMul(features, params.get("fc.weight").variable()), params.get("fc.bias").variable());
      }
    };
  }

  private static Op movingAverage(Ops tf, Variable<TFloat32> running, Operand<TFloat32> batch) {
    Operand<TFloat32> m = tf.constant(BN_MOMENTUM);
    return tf.assign(running, tf.math.add(tf.math.mul(tf.constant(1f - BN_MOMENTUM), running), tf.math.mul(m, batch)));
  }

  private Variable<TFloat32> variable(Ops tf, String name, Shape shape, float[] values) {
    return ResNetBuilder.variable(tf, name, shape, values, inits);
  }

  /** Sets the optimizer's step count (e.g. when resuming from a checkpoint). */
  public void setStep(long value) {
    try (TInt64 t = TInt64.scalarOf(value)) {
      session.runner().feed(stepValue, t).addTarget(setStep).run();
    }
  }

  /** Optimizer steps taken. */
  public long step() {
    try (Result r = session.runner().fetch(step).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  /** A step's mean cross-entropy (before the update) and how many of the batch it classified right. */
  public record StepOutcome(float loss, int correct) {}

  /** One SGD step on a batch ({@code images} [N, size, size, 3] normalised, {@code labels} [N]). */
  public StepOutcome step(TFloat32 batch, TInt32 batchLabels, float lr) {
    try (TFloat32 rate = TFloat32.scalarOf(lr);
        Result r = session.runner().feed(images, batch).feed(labels, batchLabels).feed(learningRate, rate)
            .fetch(loss).fetch(trainLogits).addTarget(train).run()) {
      TFloat32 logits = (TFloat32) r.get(1);
      int n = (int) logits.shape().get(0);
      int classes = (int) logits.shape().get(1);
      float[] values = new float[n * classes];
      logits.asRawTensor().data().asFloats().read(values);
      int correct = 0;
      for (int i = 0; i < n; i++) {
        if (argMax(values, i * classes, classes) == batchLabels.getInt(i)) {
          correct++;
        }
      }
      return new StepOutcome(((TFloat32) r.get(0)).getFloat(), correct);
    }
  }

  /** Index of the largest of {@code values[from, from + n)}, relative to {@code from}. */
  public static int argMax(float[] values, int from, int n) {
    int best = 0;
    for (int c = 1; c < n; c++) {
      if (values[from + c] > values[from + best]) {
        best = c;
      }
    }
    return best;
  }

  /** Inference-mode logits [N, classes] (batch norm on running statistics), row-major. */
  public float[] logits(TFloat32 batch) {
    try (Result r = session.runner().feed(images, batch).fetch(evalLogits).run()) {
      TFloat32 out = (TFloat32) r.get(0);
      float[] values = new float[(int) out.shape().size()];
      out.asRawTensor().data().asFloats().read(values);
      return values;
    }
  }

  /** Every parameter and running statistic, in torchvision's names and layouts (a state dict). */
  public Map<String, float[]> state() {
    return read(params.values().stream().map(p -> Map.entry(p.name(), p.variable())).toList());
  }

  /** SGD momentum buffers of the trainable parameters, in torchvision's layouts. */
  public Map<String, float[]> momentumBuffers() {
    return read(params.values().stream().filter(p -> p.momentum() != null).map(p -> Map.entry(p.name(), p.momentum())).toList());
  }

  /** torchvision shapes of every parameter and running statistic. */
  public Map<String, long[]> shapes() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    params.values().forEach(p -> shapes.put(p.name(), p.shape()));
    return shapes;
  }

  private Map<String, float[]> read(List<Map.Entry<String, Variable<TFloat32>>> variables) {
    Map<String, float[]> out = new LinkedHashMap<>();
    Session.Runner runner = session.runner();
    variables.forEach(v -> runner.fetch(v.getValue()));
    try (Result r = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        String name = variables.get(i).getKey();
        TFloat32 t = (TFloat32) r.get(i);
        float[] values = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(values);
        out.put(name, fromTensorFlow(values, params.get(name).shape()));
      }
    }
    return out;
  }

  /** Whether training updates {@code name} (and keeps a momentum buffer for it). */
  static boolean trains(String name, Predicate<String> frozen) {
    return isTrainable(name) && !frozen.test(name);
  }

  /** Trainable parameters: weights and biases; running statistics are updated, not trained. */
  static boolean isTrainable(String name) {
    return !name.endsWith("running_mean") && !name.endsWith("running_var");
  }

  /** Weight decay applies to convolution and linear weights, not to batch-norm parameters or biases. */
  static boolean isDecayed(long[] shape) {
    return shape.length > 1;
  }

  private static Shape tfShape(long[] torch) {
    return switch (torch.length) {
      case 4 -> Shape.of(torch[2], torch[3], torch[1], torch[0]);
      case 2 -> Shape.of(torch[1], torch[0]);
      default -> Shape.of(torch);
    };
  }

  private static float[] toTensorFlow(float[] values, long[] shape) {
    return switch (shape.length) {
      case 4 -> ResNetBuilder.oihwToHwio(values, shape);
      case 2 -> ResNetBuilder.transpose2d(values, shape);
      default -> values.clone();
    };
  }

  private static float[] fromTensorFlow(float[] values, long[] shape) {
    return switch (shape.length) {
      case 4 -> ResNetBuilder.hwioToOihw(values, shape);
      case 2 -> ResNetBuilder.transpose2d(values, new long[] {shape[1], shape[0]});
      default -> values;
    };
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
