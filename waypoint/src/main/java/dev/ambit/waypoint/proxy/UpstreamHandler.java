package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.lb.LoadBalancer;
import dev.ambit.waypoint.lb.PendingLimiter;
import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the chain: picks an endpoint of the backend (load balanced, healthy only), bounds the
 * backend's requests in flight (until their response body ended), sends one attempt and feeds the
 * outcome to passive health.
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
  public CompletableFuture<ProxyResponse> handle(Exchange ex) {
    List<Endpoint> endpoints;
    String limitKey;
    ServiceInfo lbService;
    if (ex.backend != null) {
      endpoints = ex.snapshot.mesh().endpoints(ex.backend, ex.backendPort);
      limitKey = ex.backend.key() + ":" + ex.backendPort;
      lbService = ex.backend;
    } else {
      endpoints = List.of(ex.downstream.workload());
      limitKey = ex.downstream.workload().key();
      lbService = null;
    }
    if (!ex.tried.isEmpty()) {
      List<Endpoint> untried = endpoints.stream().filter(e -> !ex.tried.contains(e)).toList();
      if (!untried.isEmpty()) {
        endpoints = untried;
      }
    }
    Optional<Endpoint> picked =
        lbService == null ? lb.pick(endpoints, random) : lb.pick(lbService, endpoints, random);
    if (picked.isEmpty()) {
      ex.flag = ResponseFlag.NO_HEALTHY_UPSTREAM;
      return CompletableFuture.completedFuture(LocalReplies.reply(503, "no healthy upstream"));
    }
    if (!limiter.tryAcquire(limitKey)) {
      ex.flag = ResponseFlag.UPSTREAM_OVERFLOW;
      return CompletableFuture.completedFuture(LocalReplies.reply(503, "upstream overflow"));
    }
    Endpoint ep = picked.get();
    ex.endpoint = ep;
    ex.tried.add(ep);
    ex.attempts++;
    lb.start(ep);
    CompletableFuture<ProxyResponse> f =
        clients
            .client(ep, ex.protocol, ex.loop)
            .send(upstreamRequest(ex.request, ex.protocol), ex.body, ex.loop);
    CompletableFuture<ProxyResponse> out = new CompletableFuture<>();
    Futures.cancelWith(out, f);
    f.whenComplete(
        (res, err) -> {
          if (err != null) {
            limiter.release(limitKey);
            lb.finish(ep, true);
            if (!out.isDone()) {
              Throwable cause = err.getCause() != null ? err.getCause() : err;
              ex.flag =
                  cause instanceof UpstreamException ue
                      ? ue.flag()
                      : ResponseFlag.UPSTREAM_CONNECT_FAILURE;
              LOG.debug("upstream {} failed: {}", ep.authority(), cause.getMessage());
              out.complete(
                  LocalReplies.reply(
                      503, "upstream connect error or disconnect/reset before headers"));
            }
            return;
          }
          boolean failed = res.status() >= 500;
          res.end()
              .whenComplete(
                  (end, e) -> {
                    limiter.release(limitKey);
                    lb.finish(ep, failed);
                  });
          if (!out.complete(res)) {
            res.discard();
          }
        });
    return out;
  }

  /** Fire-and-forget copy to another backend, once the request body is known whole. */
  @Override
  public void mirror(Exchange ex, ServiceInfo backend, int port) {
    Optional<Endpoint> ep = lb.pick(backend, ex.snapshot.mesh().endpoints(backend, port), random);
    if (ep.isEmpty()) {
      return;
    }
    HttpRequest copy = upstreamRequest(ex.request, ex.protocol);
    String host = copy.headers().get(HttpHeaderNames.HOST);
    if (host != null) {
      copy.headers().set(HttpHeaderNames.HOST, host + "-shadow");
    }
    ex.body
        .whole()
        .thenAccept(
            content -> {
              if (content == null) {
                return; // too large to copy
              }
              RequestBody copied = RequestBody.of(ex.loop, content);
              clients
                  .client(ep.get(), ex.protocol, ex.loop)
                  .send(copy, copied, ex.loop)
                  .whenComplete(
                      (res, err) -> {
                        if (res != null) {
                          res.discard();
                        }
                        ex.loop.execute(copied::release); // what the copy still holds
                      });
            });
  }

  /** A copy of the request head for one attempt, without hop-by-hop headers. */
  static HttpRequest upstreamRequest(HttpRequest req, Protocol protocol) {
    boolean chunked = HttpUtil.isTransferEncodingChunked(req);
    HttpRequest up =
        new DefaultHttpRequest(
            req.protocolVersion(), req.method(), req.uri(), req.headers().copy());
    HopByHop.strip(up.headers());
    if (protocol != Protocol.HTTP2) {
      up.setProtocolVersion(HttpVersion.HTTP_1_1);
      HopByHop.stripHttp2Extensions(up.headers());
      if (chunked) {
        HttpUtil.setTransferEncodingChunked(up, true);
      }
    }
    return up;
  }
}
