package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The model to serve and how to run it.
 *
 * @param dir a SavedModel directory (a visionstream export or any image classifier), or a directory of
 *     numbered versions of one ({@code 1/}, {@code 2/}, …), of which the newest valid one serves
 * @param version the only version to serve from a directory of versions (rolling back), or unset
 * @param pollInterval how often a directory of versions is looked at for a new or removed version
 *     ({@code 0s}: only on {@code POST /model/reload})
 * @param topK classes per prediction
 * @param bf16 oneDNN bfloat16 auto mixed precision on the CPU
 * @param intraOpThreads TensorFlow threads inside one op (0: TensorFlow's default)
 * @param interOpThreads TensorFlow ops run concurrently (0: TensorFlow's default)
 * @param preprocessing {@code torchvision} or {@code caffe} for models without visionstream metadata
 * @param preprocessingMode {@code exact} (bit-identical to torchvision) or {@code fast} (JPEGs
 *     decoded at a DCT scale: {@link io.visionstream.model.preprocess.PreprocessingMode})
 * @param shadowDir a second model (a SavedModel or a directory of versions) run on a sample of the
 *     classified images after the primary, or unset; it must take the same input and score the same labels
 * @param shadowSample share of classified images the shadow runs on, in (0, 1]
 * @param shadowQueue images waiting for the shadow before more are shed (each holds its preprocessed pixels)
 * @param shadowTopic where the shadow's predictions go
 */
@ConfigurationProperties(ModelConfig.PREFIX)
public record ModelConfig(
    @Nullable Path dir,
    @Nullable Long version,
    @Bindable(defaultValue = "10s") Duration pollInterval,
    @Bindable(defaultValue = "" + DEFAULT_TOP_K) int topK,
    @Bindable(defaultValue = "false") boolean bf16,
    @Bindable(defaultValue = "0") int intraOpThreads,
    @Bindable(defaultValue = "0") int interOpThreads,
    @Nullable String preprocessing,
    @Bindable(defaultValue = "exact") String preprocessingMode,
    @Nullable Path shadowDir,
    @Bindable(defaultValue = "0.1") double shadowSample,
    @Bindable(defaultValue = "64") int shadowQueue,
    @Bindable(defaultValue = "predictions.shadow") String shadowTopic) {

  public static final String PREFIX = "visionstream.classifier.model";
  public static final int DEFAULT_TOP_K = 5;
}
