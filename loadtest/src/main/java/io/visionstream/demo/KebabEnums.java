package io.visionstream.demo;

import io.visionstream.classifier.config.DeliveryGuarantee;
import io.visionstream.classifier.config.LoadPolicy;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * Command-line values for the classifier's enums, written as the documentation writes them
 * ({@code exactly-once}, {@code drop-stale}; upper case and underscores work too). Anything else
 * is refused with the values allowed, never mapped to a default.
 */
public final class KebabEnums {

  private KebabEnums() {}

  /** {@code exactly-once} for {@code EXACTLY_ONCE}. */
  public static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static <E extends Enum<E>> E parse(Class<E> type, String value) {
    String wanted = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(wanted)) {
        return constant;
      }
    }
    throw new CommandLine.TypeConversionException("'" + value + "' is not one of "
        + Arrays.stream(type.getEnumConstants()).map(KebabEnums::name).collect(Collectors.joining(", ")));
  }

  /** at-least-once, exactly-once. */
  public static final class Guarantee implements CommandLine.ITypeConverter<DeliveryGuarantee> {
    @Override
    public DeliveryGuarantee convert(String value) {
      return parse(DeliveryGuarantee.class, value);
    }
  }

  /** never-drop, drop-stale. */
  public static final class Policy implements CommandLine.ITypeConverter<LoadPolicy> {
    @Override
    public LoadPolicy convert(String value) {
      return parse(LoadPolicy.class, value);
    }
  }
}
