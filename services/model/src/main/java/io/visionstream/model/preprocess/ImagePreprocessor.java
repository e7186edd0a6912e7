package io.visionstream.model.preprocess;

import io.visionstream.model.inference.SessionSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.op.image.DecodePng;
import org.tensorflow.op.sparse.SparseTensorDenseMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Decodes, resizes and normalises encoded JPEG/PNG images into a model input batch with
 * TensorFlow ops, many images per session call, reproducing torchvision's eval transform on PIL
 * images bit for bit.
 *
 * <p>Each image's header is read first ({@link ImageHeaders}): images that are not JPEG/PNG or
 * declare too many pixels are rejected undecoded. From the header's dimensions the resize and crop
 * are planned in Java as torchvision plans them ({@link Preprocessing#geometry}), with Pillow's
 * integer filter coefficients ({@link PillowResampling}). The graph has independent branches per
 * batch slot, one for JPEG and one for PNG, which TensorFlow runs in parallel; a call feeds and
 * fetches only the branches it needs. Each branch decodes (JPEGs with libjpeg's accurate integer
 * IDCT, as PIL does; TensorFlow's default is the fast one; in {@link PreprocessingMode#FAST} mode at
 * a DCT scale, with the resize planned from the scaled size), applies the horizontal then the
 * vertical pass as sparse integer matrix products (exact in int32; block-diagonal over the
 * interleaved colour channels, so no transposes) with Pillow's rounding after each, and maps each 8-bit value to the float32 torchvision's ToTensor and
 * Normalize compute for it (a 256-entry table per channel).
 *
 * <p>An image the graph cannot decode (truncated, corrupt, or a header that lies about its size)
 * is found by re-running the batch one image at a time, so one bad image never fails the others.
 * Thread-safe; close it to free the native session.
 */
public final class ImagePreprocessor implements AutoCloseable {

  private static final int PNG = 0;
  /** JPEG branches, by DCT scale: decoded at 1/1, 1/2, 1/4 and 1/8 (only the first in exact mode). */
  private static final int[] JPEG_SCALES = {1, 2, 4, 8};
  private static final int HALF = 1 << (PillowResampling.PRECISION_BITS - 1);

  /** Placeholders and outputs of one batch slot. */
  private record Slot(Placeholder<TString>[] encoded, Operand<TFloat32>[] output, Placeholder<TInt32> rows,
      SparseInput columns, SparseInput rowsOfColumns) {}

  /** A sparse integer matrix fed as COO indices, values and dense shape. */
  private record SparseInput(Placeholder<TInt64> indices, Placeholder<TInt32> values, Placeholder<TInt64> shape) {
    static SparseInput create(Ops tf) {
      return new SparseInput(tf.withName("indices").placeholder(TInt64.class, Placeholder.shape(Shape.of(-1, 2))),
          tf.withName("values").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1))),
          tf.withName("shape").placeholder(TInt64.class, Placeholder.shape(Shape.of(2))));
    }

    /** {@code coefficients · denseᵀ}, exact in int32 for 8-bit pixels and 22-bit coefficients. */
    Operand<TInt32> timesTransposeOf(Ops tf, Operand<TInt32> dense) {
      return tf.sparse.sparseTensorDenseMatMul(indices, values, shape, dense, SparseTensorDenseMatMul.adjointB(true));
    }
  }

  private final Preprocessing spec;
  private final PreprocessingMode mode;
  private final long maxPixels;
  private final Graph graph;
  private final Session session;
  private final List<Slot> slots = new ArrayList<>();

  /**
   * @param slots the most images one {@link #run} call takes
   * @param maxPixels images whose header declares more pixels are rejected undecoded
   */
  public ImagePreprocessor(Preprocessing spec, int slots, long maxPixels, SessionSettings settings) {
    this(spec, PreprocessingMode.EXACT, slots, maxPixels, settings);
  }

  /**
   * @param mode {@link PreprocessingMode#FAST} to decode JPEGs at a DCT scale
   * @param slots the most images one {@link #run} call takes
   * @param maxPixels images whose header declares more pixels are rejected undecoded
   */
  public ImagePreprocessor(Preprocessing spec, PreprocessingMode mode, int slots, long maxPixels, SessionSettings settings) {
    if (slots <= 0 || maxPixels <= 0) {
      throw new IllegalArgumentException("slots and max pixels must be positive, got " + slots + " and " + maxPixels);
    }
    this.spec = spec;
    this.mode = mode;
    this.maxPixels = maxPixels;
    this.graph = new Graph();
    Ops tf = Ops.create(graph);
    for (int i = 0; i < slots; i++) {
      this.slots.add(slot(tf.withSubScope("slot_" + i)));
    }
    this.session = new Session(graph, settings.toConfigProto());
  }

  public Preprocessing spec() {
    return spec;
  }

  public PreprocessingMode mode() {
    return mode;
  }

  public int slots() {
    return slots.size();
  }

  /**
   * Preprocesses up to {@link #slots()} images. The caller owns and closes the returned batch.
   *
   * @throws IllegalArgumentException if given more images than slots
   */
  public PreprocessedBatch run(List<byte[]> images) {
    if (images.size() > slots.size()) {
      throw new IllegalArgumentException(images.size() + " images for a preprocessor with " + slots.size() + " slots");
    }
    ImageRejectedException[] rejections = new ImageRejectedException[images.size()];
    ImageHeaders.Header[] headers = new ImageHeaders.Header[images.size()];
    List<Integer> accepted = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      try {
        headers[i] = ImageHeaders.check(images.get(i), maxPixels);
        accepted.add(i);
      } catch (ImageRejectedException e) {
        rejections[i] = e;
      }
    }
    TFloat32[] pixels = new TFloat32[images.size()];
    List<Result> results = new ArrayList<>();
    try {
      decode(images, headers, accepted, rejections, pixels, results);
      int[] rows = new int[images.size()];
      Arrays.fill(rows, -1);
      int n = 0;
      for (int i = 0; i < images.size(); i++) {
        if (pixels[i] != null) {
          rows[i] = n++;
        }
      }
      int size = spec.cropSize();
      long bytesPerImage = (long) size * size * 3 * Float.BYTES;
      TFloat32 batch = TFloat32.tensorOf(Shape.of(n, size, size, 3));
      for (int i = 0; i < images.size(); i++) {
        if (rows[i] >= 0) {
          pixels[i].asRawTensor().data().copyTo(batch.asRawTensor().data().offset(rows[i] * bytesPerImage), bytesPerImage);
        }
      }
      return new PreprocessedBatch(batch, rows, rejections);
    } finally {
      results.forEach(Result::close);
    }
  }

  /**
   * Decodes the accepted images into {@code pixels} (views into {@code results}, which the caller
   * closes); an undecodable image is found by decoding one at a time and gets a rejection.
   */
  private void decode(List<byte[]> images, ImageHeaders.Header[] headers, List<Integer> accepted,
      ImageRejectedException[] rejections, TFloat32[] pixels, List<Result> results) {
    if (accepted.isEmpty()) {
      return;
    }
    try {
      Result all = runSlots(images, headers, accepted);
      results.add(all);
      for (int k = 0; k < accepted.size(); k++) {
        pixels[accepted.get(k)] = (TFloat32) all.get(k);
      }
    } catch (TensorFlowException | TFInvalidArgumentException batchFailure) {
      for (int i : accepted) {
        try {
          Result one = runSlots(images, headers, List.of(i));
          results.add(one);
          pixels[i] = (TFloat32) one.get(0);
        } catch (TFResourceExhaustedException e) {
          throw e; // the host ran out of memory: not the image's fault, and worth retrying
        } catch (TensorFlowException | TFInvalidArgumentException e) {
          rejections[i] = new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE, "cannot decode "
              + headers[i].format() + " image (" + images.get(i).length + " bytes, header " + headers[i].width() + "×"
              + headers[i].height() + "): " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
    }
  }

  /** Runs the slots of these images; the caller closes the result, whose k-th tensor is image k's input. */
  private Result runSlots(List<byte[]> images, ImageHeaders.Header[] headers, List<Integer> indices) {
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (int k = 0; k < indices.size(); k++) {
        int i = indices.get(k);
        Slot slot = slots.get(k);
        ImageHeaders.Header header = headers[i];
        boolean png = header.format().equals("png");
        int scale = mode.scale(spec, header);
        int branch = png ? PNG : jpegBranch(scale);
        runner.feed(slot.encoded()[png ? PNG : 1], keep(fed, TString.tensorOfBytes(NdArrays.scalarOfObject(images.get(i)))));
        feedGeometry(runner, slot, PreprocessingMode.scaled(header.width(), scale),
            PreprocessingMode.scaled(header.height(), scale), fed);
        runner.fetch(slot.output()[branch]);
      }
      return runner.run();
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /** Index of the output branch decoding JPEGs at 1/{@code scale}. */
  private static int jpegBranch(int scale) {
    return 1 + Integer.numberOfTrailingZeros(scale);
  }

  /**
   * Feeds the input rows the crop needs and both passes' coefficients, as sparse [crop, input]
   * matrices, for a decoded image of {@code width}×{@code height}.
   */
  private void feedGeometry(Session.Runner runner, Slot slot, int width, int height, List<Tensor> fed) {
    Preprocessing.Geometry g = spec.geometry(width, height);
    int size = spec.cropSize();
    PillowResampling.Taps columns = PillowResampling.taps(width, g.resizedWidth(), g.left(), size);
    PillowResampling.Taps rows = PillowResampling.taps(height, g.resizedHeight(), g.top(), size);
    int first = Integer.MAX_VALUE;
    int last = 0;
    for (int i = 0; i < rows.index().length; i++) {
      if (rows.weight()[i] != 0) {
        first = Math.min(first, rows.index()[i]);
        last = Math.max(last, rows.index()[i]);
      }
    }
    runner.feed(slot.rows(), keep(fed, TInt32.vectorOf(first, last - first + 1)));
    feedSparse(runner, slot.columns(), columns, 0, width, 3, fed);
    feedSparse(runner, slot.rowsOfColumns(), rows, first, last - first + 1, 1, fed);
  }

  /**
   * Feeds taps as a sparse [outputs·channels, inputs·channels] matrix, block-diagonal over the
   * channels so that it applies to channel-interleaved pixels: entry (j·c + k, x·c + k) is the
   * weight of input x for output j, for each channel k.
   */
  private static void feedSparse(Session.Runner runner, SparseInput input, PillowResampling.Taps taps, int offset,
      int inputs, int channels, List<Tensor> fed) {
    int nonZero = (int) Arrays.stream(taps.weight()).filter(w -> w != 0).count() * channels;
    long[] indices = new long[nonZero * 2];
    int[] values = new int[nonZero];
    int n = 0;
    for (int j = 0; j < taps.outputs(); j++) {
      for (int k = 0; k < channels; k++) {
        for (int t = 0; t < taps.taps(); t++) {
          int at = j * taps.taps() + t;
          if (taps.weight()[at] != 0) {
            indices[2 * n] = (long) j * channels + k;
            indices[2 * n + 1] = (long) (taps.index()[at] - offset) * channels + k;
            values[n++] = taps.weight()[at];
          }
        }
      }
    }
    runner.feed(input.indices(), keep(fed, TInt64.tensorOf(Shape.of(nonZero, 2), DataBuffers.of(indices, true, false))));
    runner.feed(input.values(), keep(fed, TInt32.tensorOf(Shape.of(nonZero), DataBuffers.of(values, true, false))));
    runner.feed(input.shape(), keep(fed, TInt64.vectorOf((long) taps.outputs() * channels, (long) inputs * channels)));
  }

  /**
   * One batch slot: placeholders for a PNG ([0]) and a JPEG ([1]), and the outputs of the PNG
   * branch ([0]) and of each JPEG branch ([1 + log2 scale]; exact mode builds only scale 1).
   */
  @SuppressWarnings("unchecked")
  private Slot slot(Ops tf) {
    Placeholder<TString>[] encoded = new Placeholder[2];
    Operand<TFloat32>[] output = new Operand[1 + JPEG_SCALES.length];
    Placeholder<TInt32> rows = tf.withName("rows").placeholder(TInt32.class, Placeholder.shape(Shape.of(2)));
    encoded[PNG] = tf.withName("png").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    encoded[1] = tf.withName("jpeg").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    Operand<TUint8> png = tf.image.decodePng(encoded[PNG], TUint8.class, DecodePng.channels(3L));
    Slot slot = new Slot(encoded, output, rows, SparseInput.create(tf.withSubScope("columns")),
        SparseInput.create(tf.withSubScope("rows")));
    output[PNG] = resizeAndNormalise(tf.withSubScope("png"), png, slot);
    for (int scale : mode == PreprocessingMode.EXACT ? new int[] {1} : JPEG_SCALES) {
      Operand<TUint8> jpeg = tf.withName("decode_jpeg_" + scale).image.decodeJpeg(encoded[1], DecodeJpeg.channels(3L),
          DecodeJpeg.dctMethod("INTEGER_ACCURATE"), DecodeJpeg.ratio((long) scale));
      output[jpegBranch(scale)] = resizeAndNormalise(tf.withSubScope("jpeg_" + scale), jpeg, slot);
    }
    return slot;
  }

  private Operand<TFloat32> resizeAndNormalise(Ops tf, Operand<TUint8> decoded, Slot slot) {
    int crop = spec.cropSize();
    Operand<TInt32> first = tf.gather(slot.rows(), tf.constant(0), tf.constant(0));
    Operand<TInt32> count = tf.gather(slot.rows(), tf.constant(1), tf.constant(0));
    Operand<TUint8> used = tf.slice(decoded, tf.stack(List.of(first, tf.constant(0), tf.constant(0))),
        tf.stack(List.of(count, tf.constant(-1), tf.constant(-1))));
    // Pixels stay channel-interleaved: [rows, width·3]. Horizontal pass: [crop·3, width·3] · pixelsᵀ = [crop·3, rows].
    Operand<TInt32> pixels = tf.reshape(tf.dtypes.cast(used, TInt32.class), tf.stack(List.of(count, tf.constant(-1))));
    Operand<TInt32> columns = roundToByte(tf, slot.columns().timesTransposeOf(tf, pixels));
    // Vertical pass: [crop, rows] · columnsᵀ = [crop, crop·3], i.e. [crop, crop, 3].
    Operand<TInt32> resized = tf.reshape(roundToByte(tf, slot.rowsOfColumns().timesTransposeOf(tf, columns)),
        tf.constant(new int[] {crop, crop, 3}));
    if (spec.channelOrder() == Preprocessing.ChannelOrder.BGR) {
      resized = tf.reverse(resized, tf.constant(new int[] {2}));
    }
    // Look up each 8-bit value's normalised float, computed as torchvision computes it.
    Operand<TInt32> index = tf.math.add(tf.math.mul(resized, tf.constant(3)), tf.constant(new int[] {0, 1, 2}));
    return tf.gather(tf.constant(normalisationTable(spec)), index, tf.constant(0));
  }

  /**
   * {@code table[3·p + c]} = {@code (p / divisor − mean[c]) / std[c]} in float32, operation by operation
   * as torchvision's ToTensor and Normalize do it, so the model input is bit-identical to theirs.
   */
  public static float[] normalisationTable(Preprocessing spec) {
    float[] table = new float[256 * 3];
    for (int p = 0; p < 256; p++) {
      for (int c = 0; c < 3; c++) {
        float scaled = (float) p / spec.divisor();
        table[3 * p + c] = (scaled - spec.mean()[c]) / spec.std()[c];
      }
    }
    return table;
  }

  /** Pillow's rounding of a fixed-point sum: (2^21 + Σ) >> 22 (arithmetic shift), clipped to 0..255. */
  private static Operand<TInt32> roundToByte(Ops tf, Operand<TInt32> sum) {
    Operand<TInt32> shifted = tf.bitwise.rightShift(tf.math.add(sum, tf.constant(HALF)), tf.constant(PillowResampling.PRECISION_BITS));
    return tf.clipByValue(shifted, tf.constant(0), tf.constant(255));
  }

  private static <T extends Tensor> T keep(List<Tensor> fed, T tensor) {
    fed.add(tensor);
    return tensor;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
