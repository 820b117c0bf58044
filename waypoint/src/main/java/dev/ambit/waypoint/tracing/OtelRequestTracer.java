package dev.ambit.waypoint.tracing;

import dev.ambit.waypoint.proxy.RequestSpan;
import dev.ambit.waypoint.proxy.RequestTracer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Request spans through the OpenTelemetry SDK: one server span per request, child of the caller's
 * traceparent, exported by whatever the SDK is configured with (OTLP from the OTEL_* variables in
 * production; sampling per OTEL_TRACES_SAMPLER).
 */
public final class OtelRequestTracer implements RequestTracer {

  private static final TextMapGetter<Map<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final Tracer tracer;
  private final OpenTelemetrySdk owned;

  /** Uses {@code otel} as given; closing this tracer leaves it running. */
  public OtelRequestTracer(OpenTelemetry otel) {
    this(otel, null);
  }

  private OtelRequestTracer(OpenTelemetry otel, OpenTelemetrySdk owned) {
    this.tracer = otel.getTracer("dev.ambit.waypoint");
    this.owned = owned;
  }

  /**
   * The tracer the environment asks for: OpenTelemetry when an OTLP endpoint or a traces exporter
   * is configured through OTEL_* variables, else W3C propagation without export.
   */
  public static RequestTracer fromEnvironment(Map<String, String> env, String serviceName) {
    boolean configured =
        List.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "OTEL_TRACES_EXPORTER")
            .stream()
            .anyMatch(k -> env.get(k) != null && !env.get(k).isBlank());
    if (!configured || "none".equals(env.get("OTEL_TRACES_EXPORTER"))) {
      return RequestTracer.PROPAGATE_ONLY;
    }
    Map<String, String> props = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("OTEL_")) {
            props.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    props.putIfAbsent("otel.service.name", serviceName);
    props.putIfAbsent("otel.metrics.exporter", "none");
    props.putIfAbsent("otel.logs.exporter", "none");
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> props)
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    return new OtelRequestTracer(sdk, sdk);
  }

  @Override
  public RequestTracer.Span start(String incomingTraceparent, String name) {
    Context parent =
        incomingTraceparent == null
            ? Context.root()
            : W3CTraceContextPropagator.getInstance()
                .extract(Context.root(), Map.of("traceparent", incomingTraceparent), GETTER);
    io.opentelemetry.api.trace.Span span =
        tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
    SpanContext sc = span.getSpanContext();
    String traceparent =
        "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
    return new RequestTracer.Span() {
      @Override
      public String traceId() {
        return sc.getTraceId();
      }

      @Override
      public String traceparent() {
        return traceparent;
      }

      @Override
      public void end(RequestSpan info) {
        span.setAttribute("http.request.method", info.method());
        span.setAttribute("url.path", info.path());
        span.setAttribute("server.address", info.authority());
        span.setAttribute("network.protocol.name", info.protocol());
        span.setAttribute("http.response.status_code", info.status());
        span.setAttribute("ambit.destination", info.destination());
        span.setAttribute("ambit.upstream", info.upstream());
        span.setAttribute("ambit.response_flags", info.responseFlags());
        if (info.status() >= 500) {
          span.setStatus(StatusCode.ERROR);
        }
        span.end();
      }
    };
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
