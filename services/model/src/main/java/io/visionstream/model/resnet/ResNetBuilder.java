package io.visionstream.model.resnet;

import io.visionstream.model.weights.WeightSource;
import io.visionstream.model.weights.WeightsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Builds a ResNet inference graph in NHWC, numerically equal to torchvision's model in eval mode.
 *
 * <p>Convolutions pad explicitly and symmetrically as PyTorch does (TensorFlow's "SAME" pads
 * stride-2 convolutions asymmetrically). Batch norm runs in inference mode with ε = 1e-5, either as
 * {@code FusedBatchNorm} or folded into the preceding convolution's weights and a bias
 * ({@link Options#foldBatchNorm}): w·γ/√(σ²+ε) and β − μ·γ/√(σ²+ε), computed in double precision.
 * The stem's 3×3/2 max-pool pads with zeros, which equals PyTorch's −∞ padding because its input
 * has passed a ReLU. Weights become graph variables named as in torchvision
 * ({@code layer1.0.conv1.weight}), assigned from fed placeholders by {@link Network#initialize}
 * rather than from constants, so an exported SavedModel stores them once, in its checkpoint
 * (TensorFlow Java would also write init-scope constants into the graph).
 */
public final class ResNetBuilder {

  /** Batch-norm epsilon of torchvision's ResNets. */
  public static final double BN_EPSILON = 1e-5;

  /**
   * @param inputSize height and width of the {@code images} input
   * @param foldBatchNorm fold batch norm into convolution weights (faster, equal within float32 rounding)
   * @param stem torchvision's ImageNet stem, or the CIFAR-style one for small inputs
   * @param width channels of stage 1 (64 in torchvision; the later stages have 2, 4 and 8 times it)
   */
  public record Options(int inputSize, boolean foldBatchNorm, Stem stem, int width) {
    public static final Options DEFAULT = new Options(224, true);

    public Options {
      if (inputSize <= 0 || width <= 0) {
        throw new IllegalArgumentException("input size and width must be positive, got " + inputSize + " and " + width);
      }
    }

    /** torchvision's layout: ImageNet stem, stage-1 width 64. */
    public Options(int inputSize, boolean foldBatchNorm) {
      this(inputSize, foldBatchNorm, Stem.IMAGENET, ResNetArchitecture.BASE_WIDTH);
    }
  }

  /**
   * How a network's layers are realised: inference with constant statistics ({@link ResNetBuilder}),
   * or trainable variables with batch statistics ({@code io.visionstream.model.train}).
   */
  public interface Layers {
    /** Convolution {@code conv} (stride, symmetric zero padding) followed by batch norm {@code bn}. */
    Operand<TFloat32> convBn(Operand<TFloat32> x, String conv, String bn, int stride, int pad);

    /** The final fully-connected layer {@code fc}: features [N, channels] → logits [N, classes]. */
    Operand<TFloat32> fullyConnected(Operand<TFloat32> features);
  }

  /**
   * The graph's input and outputs. The variables are uninitialised until {@link #initialize}
   * assigns their values in a session.
   */
  public record Network(Placeholder<TFloat32> images, Operand<TFloat32> logits, Operand<TFloat32> probabilities,
      List<InitialValue> initialValues) {

    /** Assigns every variable its value in {@code session}, one at a time; run it once per session. */
    public void initialize(Session session) {
      assign(session, initialValues);
    }
  }

  /** Runs the assignments of {@code values} in {@code session}, one variable at a time. */
  public static void assign(Session session, List<InitialValue> values) {
    for (InitialValue value : values) {
      try (TFloat32 tensor = TFloat32.tensorOf(value.shape(), DataBuffers.of(value.values(), true, false))) {
        session.runner().feed(value.placeholder(), tensor).addTarget(value.assign()).run();
      }
    }
  }

  /**
   * A float variable {@code name} of {@code shape}, whose value {@code values} is assigned through a
   * placeholder (see {@link #assign}) rather than held by the graph; the assignment is added to {@code initialValues}.
   */
  public static Variable<TFloat32> variable(Ops tf, String name, Shape shape, float[] values, List<InitialValue> initialValues) {
    Variable<TFloat32> variable = tf.withName(name).variable(shape, TFloat32.class);
    Ops scope = tf.withSubScope(name);
    Placeholder<TFloat32> value = scope.withName("initial_value").placeholder(TFloat32.class, Placeholder.shape(shape));
    initialValues.add(new InitialValue(value, scope.withName("assign").assign(variable, value), shape, values));
    return variable;
  }

  /** A variable's value, assigned through a placeholder so that the graph does not hold a copy of it. */
  public record InitialValue(Placeholder<TFloat32> placeholder, Assign<TFloat32> assign, Shape shape, float[] values) {}

  private final Ops tf;
  private final WeightSource weights;
  private final Map<String, long[]> shapes;
  private final Options options;
  private final List<InitialValue> initialValues = new ArrayList<>();

  private ResNetBuilder(Ops tf, WeightSource weights, Map<String, long[]> shapes, Options options) {
    this.tf = tf;
    this.weights = weights;
    this.shapes = shapes;
    this.options = options;
  }

  /**
   * Adds the network to {@code tf}'s graph: input {@code images} float32 [N, size, size, 3]
   * (normalised RGB), outputs {@code logits} and {@code probabilities} [N, classes].
   *
   * @throws WeightsException if {@code weights} lack, add or mis-shape parameters (all named)
   */
  public static Network build(Ops tf, ResNetArchitecture arch, int classes, WeightSource weights, Options options) {
    Map<String, long[]> shapes = arch.parameterShapes(classes, options.stem(), options.width());
    weights.check(shapes);
    return new ResNetBuilder(tf, weights, shapes, options).network(arch);
  }

  private Network network(ResNetArchitecture arch) {
    int size = options.inputSize();
    Placeholder<TFloat32> images = tf.withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, 3)));
    Operand<TFloat32> logits = tf.withName("logits").identity(logits(tf, arch, options.stem(), shapes, images, new Layers() {
      @Override
      public Operand<TFloat32> convBn(Operand<TFloat32> x, String conv, String bn, int stride, int pad) {
        return ResNetBuilder.this.convBn(x, conv, bn, stride, pad);
      }

      @Override
      public Operand<TFloat32> fullyConnected(Operand<TFloat32> features) {
        long[] fc = shapes.get("fc.weight");
        Operand<TFloat32> fcWeight = variable("fc.weight", Shape.of(fc[1], fc[0]), transpose2d(values("fc.weight"), fc));
        Operand<TFloat32> fcBias = variable("fc.bias", Shape.of(fc[0]), values("fc.bias"));
        return tf.nn.biasAdd(tf.linalg.matMul(features, fcWeight), fcBias);
      }
    }));
    Operand<TFloat32> probabilities = tf.withName("probabilities").identity(tf.nn.softmax(logits));
    return new Network(images, logits, probabilities, List.copyOf(initialValues));
  }

  /**
   * The ResNet topology of He et al.: stem, four stages of residual blocks, global average pooling
   * and the fully-connected layer, with each layer realised by {@code layers}. {@code shapes}
   * ({@link ResNetArchitecture#parameterShapes}) says which blocks have projection shortcuts.
   */
  public static Operand<TFloat32> logits(Ops tf, ResNetArchitecture arch, Stem stem, Map<String, long[]> shapes,
      Operand<TFloat32> images, Layers layers) {
    Operand<TFloat32> x = tf.nn.relu(layers.convBn(images, "conv1", "bn1", stem.stride(), stem.kernel() / 2));
    if (stem.maxPool()) {
      x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}), tf.constant(0f));
      x = tf.nn.maxPool(x, tf.constant(new int[] {1, 3, 3, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    }
    for (int stage = 0; stage < 4; stage++) {
      for (int block = 0; block < arch.blocksPerStage().get(stage); block++) {
        String prefix = "layer" + (stage + 1) + "." + block + ".";
        int stride = stage > 0 && block == 0 ? 2 : 1;
        Operand<TFloat32> shortcut = shapes.containsKey(prefix + "downsample.0.weight")
            ? layers.convBn(x, prefix + "downsample.0", prefix + "downsample.1", stride, 0) : x;
        x = tf.nn.relu(tf.math.add(arch.bottleneck() ? bottleneck(tf, x, prefix, stride, layers)
            : basic(tf, x, prefix, stride, layers), shortcut));
      }
    }
    return layers.fullyConnected(tf.math.mean(x, tf.constant(new int[] {1, 2})));
  }

  /** torchvision BasicBlock's residual branch: 3×3 (stride s) → BN → ReLU → 3×3 → BN. */
  private static Operand<TFloat32> basic(Ops tf, Operand<TFloat32> x, String prefix, int stride, Layers layers) {
    Operand<TFloat32> out = tf.nn.relu(layers.convBn(x, prefix + "conv1", prefix + "bn1", stride, 1));
    return layers.convBn(out, prefix + "conv2", prefix + "bn2", 1, 1);
  }

  /** torchvision Bottleneck's (ResNet v1.5) residual branch: 1×1 → 3×3 with the stride → 1×1 ×4. */
  private static Operand<TFloat32> bottleneck(Ops tf, Operand<TFloat32> x, String prefix, int stride, Layers layers) {
    Operand<TFloat32> out = tf.nn.relu(layers.convBn(x, prefix + "conv1", prefix + "bn1", 1, 0));
    out = tf.nn.relu(layers.convBn(out, prefix + "conv2", prefix + "bn2", stride, 1));
    return layers.convBn(out, prefix + "conv3", prefix + "bn3", 1, 0);
  }

  private Operand<TFloat32> convBn(Operand<TFloat32> x, String conv, String bn, int stride, int pad) {
    long[] shape = shapes.get(conv + ".weight");
    float[] weight = values(conv + ".weight");
    float[] gamma = values(bn + ".weight");
    float[] beta = values(bn + ".bias");
    float[] mean = values(bn + ".running_mean");
    float[] variance = values(bn + ".running_var");
    if (options.foldBatchNorm()) {
      int out = (int) shape[0];
      int perOutput = weight.length / out;
      float[] bias = new float[out];
      for (int o = 0; o < out; o++) {
        double scale = gamma[o] / Math.sqrt(variance[o] + BN_EPSILON);
        for (int i = 0; i < perOutput; i++) {
          weight[o * perOutput + i] = (float) (weight[o * perOutput + i] * scale);
        }
        bias[o] = (float) (beta[o] - mean[o] * scale);
      }
      Operand<TFloat32> y = conv2d(x, conv, weight, shape, stride, pad);
      return tf.nn.biasAdd(y, variable(bn + ".folded_bias", Shape.of(out), bias));
    }
    Operand<TFloat32> y = conv2d(x, conv, weight, shape, stride, pad);
    Shape channels = Shape.of(shape[0]);
    return tf.nn.fusedBatchNorm(y, variable(bn + ".weight", channels, gamma), variable(bn + ".bias", channels, beta),
        variable(bn + ".running_mean", channels, mean), variable(bn + ".running_var", channels, variance),
        FusedBatchNorm.epsilon((float) BN_EPSILON), FusedBatchNorm.isTraining(false), FusedBatchNorm.dataFormat("NHWC")).y();
  }

  private Operand<TFloat32> conv2d(Operand<TFloat32> x, String name, float[] oihw, long[] shape, int stride, int pad) {
    Operand<TFloat32> filter = variable(name + ".weight", Shape.of(shape[2], shape[3], shape[1], shape[0]), oihwToHwio(oihw, shape));
    List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
    if (pad == 0) {
      return tf.nn.conv2d(x, filter, strides, "VALID");
    }
    long p = pad;
    return tf.nn.conv2d(x, filter, strides, "EXPLICIT", Conv2d.explicitPaddings(0L, 0L, p, p, p, p, 0L, 0L));
  }

  private float[] values(String name) {
    long[] shape = shapes.get(name);
    if (shape == null) {
      throw new IllegalStateException("builder asked for " + name + ", which the architecture does not list");
    }
    float[] values = weights.values(name, shape);
    if (values.length != Arrays.stream(shape).reduce(1, Math::multiplyExact)) {
      throw new WeightsException(weights.origin() + " gave " + values.length + " values for " + name + " of shape "
          + Arrays.toString(shape));
    }
    return values;
  }

  private Operand<TFloat32> variable(String name, Shape shape, float[] values) {
    return variable(tf, name, shape, values, initialValues);
  }

  /** torchvision's convolution layout [out, in, h, w] → TensorFlow's [h, w, in, out]. */
  public static float[] oihwToHwio(float[] oihw, long[] shape) {
    return permuteConvolution(oihw, shape, true);
  }

  /** TensorFlow's convolution layout [h, w, in, out] → torchvision's [out, in, h, w] ({@code shape} in OIHW). */
  public static float[] hwioToOihw(float[] hwio, long[] shape) {
    return permuteConvolution(hwio, shape, false);
  }

  private static float[] permuteConvolution(float[] from, long[] oihwShape, boolean toHwio) {
    int o = (int) oihwShape[0];
    int in = (int) oihwShape[1];
    int h = (int) oihwShape[2];
    int w = (int) oihwShape[3];
    float[] to = new float[from.length];
    for (int oo = 0; oo < o; oo++) {
      for (int ii = 0; ii < in; ii++) {
        for (int hh = 0; hh < h; hh++) {
          for (int ww = 0; ww < w; ww++) {
            int hwio = ((hh * w + ww) * in + ii) * o + oo;
            int oihw = ((oo * in + ii) * h + hh) * w + ww;
            if (toHwio) {
              to[hwio] = from[oihw];
            } else {
              to[oihw] = from[hwio];
            }
          }
        }
      }
    }
    return to;
  }

  /** Transposes a row-major [rows, cols] matrix ({@code shape}) into [cols, rows]. */
  public static float[] transpose2d(float[] values, long[] shape) {
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    float[] out = new float[values.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = values[r * cols + c];
      }
    }
    return out;
  }
}
