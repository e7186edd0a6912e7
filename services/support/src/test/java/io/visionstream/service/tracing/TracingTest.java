package io.visionstream.service.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TracingTest {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final Tracing tracing = Tracing.with(OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build());

  @Test
  void aSpanWrittenToHeadersIsTheParentReadFromThemAndReplacesTheContextTheyHeld() {
    Span upstream = tracing.tracer().spanBuilder("upstream").startSpan();
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes(StandardCharsets.UTF_8));
    Tracing.inject(upstream, headers);
    assertThat(headers.headers("traceparent")).hasSize(1);

    Span child = tracing.tracer().spanBuilder("child").setParent(tracing.extract(headers)).startSpan();
    assertThat(child.getSpanContext().getTraceId()).isEqualTo(upstream.getSpanContext().getTraceId());
    child.end();
    upstream.end();
    assertThat(exporter.getFinishedSpanItems()).filteredOn(s -> s.getName().equals("child")).singleElement()
        .satisfies(s -> assertThat(s.getParentSpanId()).isEqualTo(upstream.getSpanContext().getSpanId()));
  }

  @Test
  void withTracingOffNoHeaderIsReadOrWritten() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes(StandardCharsets.UTF_8));
    assertThat(Tracing.OFF.enabled()).isFalse();
    assertThat(Span.fromContext(Tracing.OFF.extract(headers)).getSpanContext().isValid()).isFalse();
    RecordHeaders untouched = new RecordHeaders();
    Tracing.OFF.inject(Context.root().with(tracing.tracer().spanBuilder("x").startSpan()), untouched);
    assertThat(untouched.toArray()).isEmpty();
  }

  @Test
  void spansAreExportedOverOtlpHttpToTheConfiguredEndpoint() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type") + " "
          + new String(body, StandardCharsets.ISO_8859_1));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    try {
      Tracing otlp = Tracing.otlp("visionstream-test-service", "http://127.0.0.1:" + collector.getAddress().getPort()
          + "/v1/traces", 1.0);
      otlp.tracer().spanBuilder("exported-span").startSpan().end();
      otlp.close(); // flushes the batch
      assertThat(received).singleElement().satisfies(request -> assertThat(request)
          .startsWith("POST application/x-protobuf ").contains("visionstream-test-service").contains("exported-span"));
    } finally {
      collector.stop(0);
    }
  }

  @Test
  void aBadEndpointOrSampleRatioStopsStartUpNamingTheKey() {
    TracingFactory factory = new TracingFactory();
    assertThat(factory.tracing(new TracingConfig(false, "nonsense", 7), "svc")).isSameAs(Tracing.OFF);
    assertThatThrownBy(() -> factory.tracing(new TracingConfig(true, "collector:4318", 0.5), "svc"))
        .hasMessageContaining("visionstream.tracing.otlp-endpoint must be an http(s) URL of an OTLP/HTTP traces endpoint"
            + " (got collector:4318)");
    assertThatThrownBy(() -> factory.tracing(new TracingConfig(true, "http://127.0.0.1:4318/v1/traces", 1.5), "svc"))
        .hasMessageContaining("visionstream.tracing.sample-ratio must be in [0, 1] (got 1.5)");
    Tracing on = factory.tracing(new TracingConfig(true, "http://127.0.0.1:4318/v1/traces", 1), "svc");
    assertThat(on.enabled()).isTrue();
    on.close();
  }
}
