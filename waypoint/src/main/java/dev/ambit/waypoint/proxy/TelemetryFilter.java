package dev.ambit.waypoint.proxy;

import dev.ambit.proto.workload.Workload;
import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.MeshView;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.metrics.GrpcStatus;
import dev.ambit.waypoint.metrics.RequestMetrics;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Outermost filter: trace context (continue or start, new span for this hop), request metrics and
 * the access log once the response is known, and span export.
 */
final class TelemetryFilter implements HttpFilter {

  private final RequestMetrics metrics;
  private final RequestTracer tracer;

  TelemetryFilter(RequestMetrics metrics, RequestTracer tracer) {
    this.metrics = metrics;
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
    metrics.record(
        metrics.labels(labels(ex)), res.status(), grpc, ex.flag, ms, ex.body.bytes(), end.bytes());
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

  private static RequestMetrics.LabelKey labels(Exchange ex) {
    return labels(
        ex.downstream,
        ex.snapshot.mesh(),
        ex.endpoint,
        ex.backend != null ? ex.backend : ex.downstream.service(),
        ex.requestProtocol());
  }

  /** The label key of traffic from {@code d} to {@code ep} of {@code svc} (either may be null). */
  static RequestMetrics.LabelKey labels(
      Downstream d, MeshView mesh, Endpoint ep, ServiceInfo svc, String protocol) {
    Optional<Workload> src = d.sourceIp() == null ? Optional.empty() : mesh.workload(d.sourceIp());
    return new RequestMetrics.LabelKey(
        src.map(w -> w.getWorkloadName().isEmpty() ? w.getName() : w.getWorkloadName())
            .orElse(null),
        src.map(Workload::getNamespace)
            .orElse(d.principal() == null ? null : namespaceOf(d.principal())),
        d.principal(),
        ep == null ? null : ep.workloadName(),
        ep == null ? null : ep.namespace(),
        ep == null ? null : ep.identity(),
        svc == null ? null : svc.hostname(),
        svc == null ? null : svc.name(),
        svc == null ? null : svc.namespace(),
        protocol);
  }

  private static String namespaceOf(String principal) {
    int i = principal.indexOf("/ns/");
    if (i < 0) {
      return null;
    }
    int end = principal.indexOf('/', i + 4);
    return end < 0 ? principal.substring(i + 4) : principal.substring(i + 4, end);
  }
}
