package io.visionstream.classifier.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;

/**
 * The model to serve and how to run it.
 *
 * @param dir SavedModel directory (a visionstream export or any image classifier)
 * @param topK classes per prediction
 * @param bf16 oneDNN bfloat16 auto mixed precision on the CPU
 * @param intraOpThreads TensorFlow threads inside one op (0: TensorFlow's default)
 * @param interOpThreads TensorFlow ops run concurrently (0: TensorFlow's default)
 * @param preprocessing {@code torchvision} or {@code caffe} for models without visionstream metadata
 */
@ConfigurationProperties(ModelConfig.PREFIX)
public record ModelConfig(
    @Nullable Path dir,
    @Bindable(defaultValue = "" + DEFAULT_TOP_K) int topK,
    @Bindable(defaultValue = "false") boolean bf16,
    @Bindable(defaultValue = "0") int intraOpThreads,
    @Bindable(defaultValue = "0") int interOpThreads,
    @Nullable String preprocessing) {

  public static final String PREFIX = "visionstream.classifier.model";
  public static final int DEFAULT_TOP_K = 5;
}
