package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.lb.LoadBalancer;
import dev.ambit.waypoint.lb.PendingLimiter;
import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the chain: picks an endpoint of the backend (least request, healthy only), bounds the
 * backend's requests in flight, sends one attempt and feeds the outcome to passive health.
 */
final class UpstreamHandler implements HttpHandler, RoutingFilter.Mirror {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);

  private final LoadBalancer lb;
  private final PendingLimiter limiter;
  private final EndpointClients clients;
  private final RandomGenerator random;

  UpstreamHandler(
      LoadBalancer lb, PendingLimiter limiter, EndpointClients clients, RandomGenerator random) {
    this.lb = lb;
    this.limiter = limiter;
    this.clients = clients;
    this.random = random;
  }

  @Override
  public CompletableFuture<FullHttpResponse> handle(Exchange ex) {
    List<Endpoint> endpoints;
    String limitKey;
    if (ex.backend != null) {
      endpoints = ex.snapshot.mesh().endpoints(ex.backend, ex.backendPort);
      limitKey = ex.backend.key() + ":" + ex.backendPort;
    } else {
      endpoints = List.of(ex.downstream.workload());
      limitKey = ex.downstream.workload().key();
    }
    if (!ex.tried.isEmpty()) {
      List<Endpoint> untried = endpoints.stream().filter(e -> !ex.tried.contains(e)).toList();
      if (!untried.isEmpty()) {
        endpoints = untried;
      }
    }
    Optional<Endpoint> picked = lb.pick(endpoints, random);
    if (picked.isEmpty()) {
      ex.flag = ResponseFlag.NO_HEALTHY_UPSTREAM;
      return CompletableFuture.completedFuture(LocalReplies.of(503, "no healthy upstream"));
    }
    if (!limiter.tryAcquire(limitKey)) {
      ex.flag = ResponseFlag.UPSTREAM_OVERFLOW;
      return CompletableFuture.completedFuture(LocalReplies.of(503, "upstream overflow"));
    }
    Endpoint ep = picked.get();
    ex.endpoint = ep;
    ex.tried.add(ep);
    ex.attempts++;
    lb.start(ep);
    CompletableFuture<FullHttpResponse> f =
        clients.client(ep, ex.protocol).send(upstreamRequest(ex.request, ex.protocol), ex.loop);
    CompletableFuture<FullHttpResponse> out = new CompletableFuture<>();
    Futures.cancelWith(out, f);
    f.whenComplete(
        (res, err) -> {
          limiter.release(limitKey);
          lb.finish(ep, err != null || res.status().code() >= 500);
          if (err != null) {
            if (!out.isDone()) {
              Throwable cause = err.getCause() != null ? err.getCause() : err;
              ex.flag =
                  cause instanceof UpstreamException ue
                      ? ue.flag()
                      : ResponseFlag.UPSTREAM_CONNECT_FAILURE;
              LOG.debug("upstream {} failed: {}", ep.authority(), cause.getMessage());
              out.complete(
                  LocalReplies.of(
                      503, "upstream connect error or disconnect/reset before headers"));
            }
          } else if (!out.complete(res)) {
            res.release();
          }
        });
    return out;
  }

  /** Fire-and-forget copy to another backend; its response is dropped. */
  @Override
  public void mirror(Exchange ex, ServiceInfo backend, int port) {
    Optional<Endpoint> ep = lb.pick(ex.snapshot.mesh().endpoints(backend, port), random);
    if (ep.isEmpty()) {
      return;
    }
    FullHttpRequest copy = upstreamRequest(ex.request, ex.protocol);
    String host = copy.headers().get(HttpHeaderNames.HOST);
    if (host != null) {
      copy.headers().set(HttpHeaderNames.HOST, host + "-shadow");
    }
    clients
        .client(ep.get(), ex.protocol)
        .send(copy, ex.loop)
        .whenComplete(
            (res, err) -> {
              if (res != null) {
                res.release();
              }
            });
  }

  /** A copy of the request for one attempt, without hop-by-hop headers. */
  static FullHttpRequest upstreamRequest(FullHttpRequest req, Protocol protocol) {
    FullHttpRequest up = req.retainedDuplicate();
    HopByHop.strip(up.headers());
    if (protocol != Protocol.HTTP2) {
      up.setProtocolVersion(HttpVersion.HTTP_1_1);
      HopByHop.stripHttp2Extensions(up.headers());
    }
    return up;
  }
}
