package dev.ambit.waypoint.proxy;

import com.google.protobuf.ByteString;
import dev.ambit.proto.workload.Workload;
import dev.ambit.waypoint.config.ConfigStore;
import dev.ambit.waypoint.config.MeshView;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.lb.LoadBalancer;
import dev.ambit.waypoint.lb.PendingLimiter;
import dev.ambit.waypoint.metrics.RequestMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waypoint's data path for accepted streams: resolves what a tunnel is addressed to, sniffs the
 * protocol, and runs HTTP requests through the L7 filter chain (telemetry, authorization, routing,
 * timeouts and retries, load-balanced upstream).
 */
public final class WaypointProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WaypointProxy.class);

  private final ConfigStore config;
  private final ProxyOptions options;
  private final EndpointClients clients;
  private final HttpHandler chain;
  private final TcpForwarder tcp;

  public WaypointProxy(
      ConfigStore config,
      UpstreamConnector connector,
      RequestMetrics metrics,
      ProxyOptions options,
      RandomGenerator random,
      RequestTracer tracer) {
    this.config = config;
    this.options = options;
    this.clients = new EndpointClients(connector, options.upstreamIdleTimeout());
    LoadBalancer lb = new LoadBalancer(options.outlier(), System::nanoTime);
    UpstreamHandler upstream =
        new UpstreamHandler(
            lb, new PendingLimiter(options.maxPendingPerBackend()), clients, random);
    this.chain =
        HttpFilter.chain(
            List.of(
                new TelemetryFilter(metrics, tracer),
                new GrpcReplyFilter(),
                new AuthzFilter(),
                new RoutingFilter(random, upstream),
                new RetryFilter()),
            upstream);
    this.tcp = new TcpForwarder(connector, lb, random, metrics);
    config.onUpdate(
        snapshot -> {
          // Forget load, health and pooled connections of workloads that are gone.
          java.util.Set<String> uids = snapshot.mesh().workloadUids();
          lb.retainWorkloads(uids);
          clients.retainWorkloads(uids);
        });
  }

  /**
   * What a tunnel to {@code target} (the original destination, VIP:port or podIP:port) is for, or
   * empty when this waypoint does not serve it: unknown address, unknown service port, or a
   * destination bound to another waypoint (never proxy on another's behalf).
   */
  public Optional<Downstream> resolve(
      InetSocketAddress target, String principal, InetAddress sourceIp, String traceparent) {
    MeshView mesh = config.snapshot().mesh();
    InetAddress ip = target.getAddress();
    List<InetAddress> own =
        mesh.service(config.namespace(), config.gateway()).map(ServiceInfo::vips).orElse(List.of());
    Optional<ServiceInfo> svc = mesh.serviceByVip(ip);
    if (svc.isPresent()) {
      ServiceInfo s = svc.get();
      if (s.port(target.getPort()).isEmpty()) {
        LOG.debug("service {} has no port {}", s.key(), target.getPort());
        return Optional.empty();
      }
      if (s.waypoint().isEmpty() || !own.contains(s.waypoint().get())) {
        LOG.debug("service {} is not bound to this waypoint", s.key());
        return Optional.empty();
      }
      return Optional.of(
          new Downstream(principal, sourceIp, s, target.getPort(), null, traceparent));
    }
    Optional<Workload> w = mesh.workload(ip);
    if (w.isPresent() && boundTo(w.get(), own)) {
      return mesh.workloadEndpoint(ip, target.getPort())
          .map(ep -> new Downstream(principal, sourceIp, null, target.getPort(), ep, traceparent));
    }
    LOG.debug("no destination served by this waypoint at {}", target);
    return Optional.empty();
  }

  private static boolean boundTo(Workload w, List<InetAddress> own) {
    if (!w.hasWaypoint() || !w.getWaypoint().hasAddress()) {
      return false;
    }
    ByteString b = w.getWaypoint().getAddress().getAddress();
    for (InetAddress a : own) {
      if (ByteString.copyFrom(a.getAddress()).equals(b)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Serves one accepted byte stream (an HBONE CONNECT stream, or a plain socket) for {@code d}.
   * Call on the channel's event loop; turns autoRead on.
   */
  public void serve(Channel ch, Downstream d) {
    ch.pipeline()
        .addLast(
            "sniffer", new ProtocolSniffer(options.sniffTimeout(), (ctx, p) -> install(ctx, p, d)));
    ch.config().setAutoRead(true);
  }

  private void install(ChannelHandlerContext sniffer, Protocol p, Downstream d) {
    ChannelPipeline pipeline = sniffer.pipeline();
    switch (p) {
      case HTTP1 ->
          pipeline
              .addLast(
                  new CombinedChannelDuplexHandler<>(
                      new StrictRequestDecoder(), new HttpResponseEncoder()))
              .addLast(new RequestGuard(Protocol.HTTP1))
              .addLast(new HttpServerExpectContinueHandler())
              .addLast(
                  new ExchangeHandler(
                      config, chain, d, Protocol.HTTP1, options.maxRetriableBytes()));
      case HTTP2 ->
          pipeline
              .addLast(FlushMerging.handler())
              .addLast(http2Server(d))
              .addLast(new CloseOnInputShutdown());
      case TCP -> tcp.forward(sniffer, d, config.snapshot());
    }
  }

  /**
   * The HTTP/2 server for one downstream connection, one child channel per request stream.
   *
   * <p>Not {@code Http2FrameCodec} + {@code Http2MultiplexHandler}: that handler tells server from
   * client by the channel's parent being a {@code ServerChannel}, which an HBONE stream channel's
   * parent (the TLS connection) is not. It then takes stream 1, the first stream of curl, nghttp2
   * and grpc-go, for the client side of an h2c upgrade, never gives it a child channel, and the
   * stream's first frame fails with a NullPointerException that resets the tunnel. The multiplex
   * codec asks the HTTP/2 connection, which knows it is the server.
   */
  @SuppressWarnings("deprecation")
  private ChannelHandler http2Server(Downstream d) {
    return Http2Limits.serverCodec(
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel stream) {
            stream
                .pipeline()
                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(new RequestGuard(Protocol.HTTP2))
                .addLast(
                    new ExchangeHandler(
                        config, chain, d, Protocol.HTTP2, options.maxRetriableBytes()));
          }
        });
  }

  @Override
  public void close() {
    clients.close();
  }
}
