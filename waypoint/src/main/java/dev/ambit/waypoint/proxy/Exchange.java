package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.config.WaypointSnapshot;
import dev.ambit.waypoint.metrics.ResponseFlag;
import dev.ambit.waypoint.route.RouteTable;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * One request travelling through the filter chain. Filters read and fill it in; it is confined to
 * the downstream event loop except for the fields that upstream callbacks set (volatile).
 */
public final class Exchange {

  final HttpRequest request;
  final RequestBody body;
  final Downstream downstream;
  final Protocol protocol;
  final WaypointSnapshot snapshot;
  final EventLoop loop;
  final long startNanos;

  /** The rule the request was routed to; null when no route attaches (original service). */
  RouteTable.RouteDecision route;

  /** Backend service and port chosen (null with a workload addressed directly). */
  ServiceInfo backend;

  int backendPort;

  /** Response header modifiers to apply on the way back, in order. */
  final List<dev.ambit.proto.waypoint.HeaderModifier> responseModifiers = new ArrayList<>();

  volatile Endpoint endpoint;

  /** Endpoints already tried by earlier attempts: a retry prefers another one. */
  final java.util.Set<Endpoint> tried = java.util.concurrent.ConcurrentHashMap.newKeySet();

  volatile ResponseFlag flag = ResponseFlag.NONE;

  /** Upstream attempts made (only the chain's own thread sequence touches it). */
  volatile int attempts;

  String traceId = "";

  Exchange(
      HttpRequest request,
      RequestBody body,
      Downstream downstream,
      Protocol protocol,
      WaypointSnapshot snapshot,
      EventLoop loop,
      long startNanos) {
    this.request = request;
    this.body = body;
    this.downstream = downstream;
    this.protocol = protocol;
    this.snapshot = snapshot;
    this.loop = loop;
    this.startNanos = startNanos;
  }

  public HttpRequest request() {
    return request;
  }

  public Downstream downstream() {
    return downstream;
  }

  /** "grpc" for gRPC over HTTP/2, else "http". */
  String requestProtocol() {
    return isGrpc() ? "grpc" : "http";
  }

  boolean isGrpc() {
    String ct = request.headers().get("content-type");
    return ct != null && ct.startsWith("application/grpc");
  }
}
