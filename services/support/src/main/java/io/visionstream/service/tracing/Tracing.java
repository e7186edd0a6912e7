package io.visionstream.service.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Tracing for a visionstream service: OpenTelemetry with W3C trace context carried in Kafka record
 * headers ({@code traceparent}, {@code tracestate}). {@link #OFF} (the default) makes no spans and
 * touches no headers; {@link #otlp} exports spans over OTLP/HTTP in batches.
 */
public final class Tracing implements AutoCloseable {

  /** Tracing off: no spans, no headers read or written. */
  public static final Tracing OFF = new Tracing(OpenTelemetry.noop(), false, () -> {});

  private static final String SCOPE = "io.visionstream";
  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      for (Header header : headers) {
        keys.add(header.key());
      }
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      Header header = headers == null ? null : headers.lastHeader(key);
      return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
  };

  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final boolean enabled;
  private final Runnable shutdown;

  private Tracing(OpenTelemetry openTelemetry, boolean enabled, Runnable shutdown) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer(SCOPE);
    this.enabled = enabled;
    this.shutdown = shutdown;
  }

  /** Tracing with spans made by {@code openTelemetry} (tests give one with an in-memory exporter); the caller closes it. */
  public static Tracing with(OpenTelemetry openTelemetry) {
    return new Tracing(openTelemetry, true, () -> {});
  }

  /**
   * Spans of {@code service}, sampled at {@code ratio} of traces (parent-based: a trace sampled
   * upstream stays sampled), exported to the OTLP/HTTP {@code endpoint} in batches.
   */
  public static Tracing otlp(String service, String endpoint, double ratio) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), service))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)))
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build()).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3C)).build();
    return new Tracing(sdk, true, () -> provider.shutdown().join(10, TimeUnit.SECONDS));
  }

  public boolean enabled() {
    return enabled;
  }

  public Tracer tracer() {
    return tracer;
  }

  /** The trace context in {@code headers}, or the root context when they carry none. */
  public Context extract(Headers headers) {
    return enabled ? W3C.extract(Context.root(), headers, GETTER) : Context.root();
  }

  /** Writes {@code context}'s span into {@code headers}, replacing any trace context they held. */
  public void inject(Context context, Headers headers) {
    if (enabled) {
      W3C.inject(context, headers, SETTER);
    }
  }

  /** Writes {@code span} into {@code headers}, replacing any trace context they held (a span exists only with tracing on). */
  public static void inject(Span span, Headers headers) {
    W3C.inject(Context.root().with(span), headers, SETTER);
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** Exports what is left and stops. */
  @Override
  public void close() {
    shutdown.run();
  }
}
