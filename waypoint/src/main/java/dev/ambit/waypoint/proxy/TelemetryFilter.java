package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.GrpcStatus;
import dev.ambit.waypoint.metrics.RequestLabels;
import dev.ambit.waypoint.metrics.RequestMetrics;
import java.util.concurrent.CompletableFuture;

/**
 * Outermost filter: trace context (continue or start, new span for this hop), request metrics and
 * the access log once the response is known, and span export.
 */
final class TelemetryFilter implements HttpFilter {

  private final RequestMetrics metrics;
  private final RequestLabelCache labels;
  private final RequestTracer tracer;

  TelemetryFilter(RequestMetrics metrics, RequestTracer tracer) {
    this.metrics = metrics;
    this.labels = new RequestLabelCache(metrics);
    this.tracer = tracer;
  }

  @Override
  public CompletableFuture<ProxyResponse> filter(Exchange ex, HttpHandler next) {
    String incoming = ex.request.headers().get("traceparent");
    RequestTracer.Span span =
        tracer.start(
            incoming != null ? incoming : ex.downstream.traceparent(),
            ex.downstream.destinationName());
    ex.traceId = span.traceId();
    ex.request.headers().set("traceparent", span.traceparent());
    return next.handle(ex)
        .thenApply(
            res -> {
              res.end().thenAccept(end -> record(ex, res, end, span));
              return res;
            });
  }

  /** Once the response went downstream (or failed to): the body's size and trailers are known. */
  private void record(Exchange ex, ProxyResponse res, BodyEnd end, RequestTracer.Span span) {
    double ms = (System.nanoTime() - ex.startNanos) / 1e6;
    String grpcHeader = res.head().headers().get("grpc-status");
    if (grpcHeader == null) {
      grpcHeader = end.trailers().get("grpc-status");
    }
    GrpcStatus grpc =
        ex.requestProtocol().equals("grpc")
            ? (grpcHeader == null ? GrpcStatus.UNKNOWN : GrpcStatus.of(grpcHeader))
            : GrpcStatus.NONE;
    metrics.record(labels(ex), res.status(), grpc, ex.flag, ms, ex.body.bytes(), end.bytes());
    AccessLog.log(ex, res.status(), end.bytes(), ms, grpc.label());
    span.end(
        new RequestSpan(
            ex.request.method().name(),
            ex.request.uri(),
            ex.request.headers().get("host", ""),
            ex.requestProtocol(),
            ex.downstream.destinationName(),
            ex.endpoint == null ? "" : ex.endpoint.authority(),
            res.status(),
            ex.flag.label()));
  }

  private RequestLabels labels(Exchange ex) {
    return labels.labels(
        ex.downstream,
        ex.snapshot.mesh(),
        ex.endpoint,
        ex.backend != null ? ex.backend : ex.downstream.service(),
        ex.requestProtocol());
  }
}
