package dev.ambit.ztunnel.proxy;

import dev.ambit.transport.hbone.Authority;
import dev.ambit.transport.hbone.HboneException;
import dev.ambit.transport.hbone.HboneTarget;
import dev.ambit.transport.hbone.Relay;
import dev.ambit.transport.hbone.RelayCounters;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.ztunnel.state.DestinationResolver;
import dev.ambit.ztunnel.state.Route;
import dev.ambit.ztunnel.state.StateSnapshot;
import dev.ambit.ztunnel.state.WorkloadInfo;
import dev.ambit.ztunnel.telemetry.ConnectionLabels;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one outbound connection of a pod to its destination: HBONE to the destination's ztunnel
 * or waypoint (verifying the expected identity), plain TCP for destinations outside the mesh.
 * Shared by the capture listener (15001) and SOCKS5 (15080).
 */
final class OutboundProxy {

  private static final Logger LOG = LoggerFactory.getLogger(OutboundProxy.class);

  private final ProxyContext ctx;
  private final PodProxy pod;

  OutboundProxy(ProxyContext ctx, PodProxy pod) {
    this.ctx = ctx;
    this.pod = pod;
  }

  /**
   * Connects {@code downstream} (autoRead off) to {@code target}; {@code connected} learns whether
   * the upstream side is established (before any byte is relayed).
   */
  void proxy(Channel downstream, InetSocketAddress target, Consumer<Boolean> connected) {
    ctx.waiter()
        .await(s -> s.workload(pod.spec().uid()), ctx.config().stateWait())
        .whenComplete(
            (self, error) ->
                downstream.eventLoop().execute(() -> route(downstream, target, self, connected)));
  }

  private void route(
      Channel downstream,
      InetSocketAddress target,
      WorkloadInfo self,
      Consumer<Boolean> connected) {
    InetSocketAddress source = (InetSocketAddress) downstream.remoteAddress();
    if (self == null) {
      // Without our own state we cannot tell mesh destinations apart: never send plaintext blind.
      LOG.warn("no state for pod {} yet; refusing outbound to {}", pod.spec().uid(), target);
      refuse(downstream, connected);
      return;
    }
    StateSnapshot state = ctx.state().snapshot();
    Route route = DestinationResolver.resolve(state, self, target);
    switch (route) {
      case Route.Hbone h -> hbone(downstream, source, self, h, connected);
      case Route.Passthrough p -> passthrough(downstream, source, self, p, connected);
      case Route.Unreachable u -> {
        ConnectionRecord record =
            new ConnectionRecord(
                ctx.metrics(),
                ConnectionLabels.of(
                    ConnectionLabels.Reporter.SOURCE,
                    self,
                    self.identity(),
                    null,
                    null,
                    null,
                    false),
                source,
                target);
        record.close("unreachable: " + u.reason());
        refuse(downstream, connected);
      }
    }
  }

  private void hbone(
      Channel downstream,
      InetSocketAddress source,
      WorkloadInfo self,
      Route.Hbone route,
      Consumer<Boolean> connected) {
    WorkloadInfo shown = route.destination() != null ? route.destination() : route.waypoint();
    String expected = route.expectedIdentities().iterator().next();
    ConnectionRecord record =
        new ConnectionRecord(
            ctx.metrics(),
            ConnectionLabels.of(
                ConnectionLabels.Reporter.SOURCE,
                self,
                pod.identity().uri(),
                shown,
                route.destination() != null ? route.destination().identity() : expected,
                route.service(),
                true),
            source,
            route.authority());
    Map<String, String> headers = new HashMap<>();
    headers.put("forwarded", "for=" + forwardedFor(source));
    headers.put("baggage", baggage(self));
    headers.put("traceparent", traceparent());
    Set<SpiffeId> expectedIds =
        route.expectedIdentities().stream().map(SpiffeId::parse).collect(Collectors.toSet());
    HboneTarget target =
        new HboneTarget(route.proxy(), Authority.format(route.authority()), expectedIds, headers);
    ctx.certificates()
        .get(pod.identity(), ctx.config().certificateWait())
        .thenCompose(cert -> ctx.pool().connect(target, cert, pod.sockets()))
        .whenComplete(
            (stream, error) -> {
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                LOG.debug("HBONE to {} via {} failed", route.authority(), route.proxy(), cause);
                record.close(failure(cause));
                refuse(downstream, connected);
                return;
              }
              relay(downstream, stream, record, connected);
            });
  }

  private void passthrough(
      Channel downstream,
      InetSocketAddress source,
      WorkloadInfo self,
      Route.Passthrough route,
      Consumer<Boolean> connected) {
    ConnectionRecord record =
        new ConnectionRecord(
            ctx.metrics(),
            ConnectionLabels.of(
                ConnectionLabels.Reporter.SOURCE,
                self,
                pod.identity().uri(),
                route.destination(),
                null,
                route.service(),
                false),
            source,
            route.target());
    ChannelFuture f =
        new Bootstrap()
            .group(downstream.eventLoop())
            .channelFactory(pod.sockets())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(Relay.holdInbound())
            .connect(route.target());
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            record.close("upstream connect failed: " + done.cause().getMessage());
            refuse(downstream, connected);
            return;
          }
          relay(downstream, f.channel(), record, connected);
        });
  }

  private void relay(
      Channel downstream, Channel upstream, ConnectionRecord record, Consumer<Boolean> connected) {
    if (!downstream.isActive()) {
      Connections.abort(upstream);
      record.close("client gone");
      return;
    }
    pod.connections().add(downstream);
    pod.connections().add(upstream);
    connected.accept(true);
    CompletableFuture<Relay.Result> done =
        Relay.splice(
            downstream,
            upstream,
            new RelayCounters() {
              @Override
              public void aToB(int bytes) {
                record.received(bytes);
              }

              @Override
              public void bToA(int bytes) {
                record.sent(bytes);
              }
            });
    done.whenComplete((r, e) -> record.close(result(r, e)));
  }

  private static void refuse(Channel downstream, Consumer<Boolean> connected) {
    connected.accept(false);
    Connections.abort(downstream);
  }

  static String result(Relay.Result r, Throwable e) {
    if (e != null) {
      return "error: " + e.getMessage();
    }
    if (r.graceful()) {
      return "ok";
    }
    return r.cause() == null ? "reset" : "error: " + r.cause().getMessage();
  }

  private static String failure(Throwable cause) {
    if (cause instanceof HboneException h && h.status() != 0) {
      return "refused by peer: HTTP " + h.status();
    }
    return "connect failed: " + cause.getMessage();
  }

  /** Who the source is, in the ecosystem's baggage keys, for the destination's telemetry. */
  static String baggage(WorkloadInfo w) {
    String cluster = w.proto().getClusterId().isEmpty() ? "local" : w.proto().getClusterId();
    return "k8s.cluster.name="
        + cluster
        + ",k8s.namespace.name="
        + w.namespace()
        + ",k8s.deployment.name="
        + w.workloadName()
        + ",service.name="
        + w.canonicalName()
        + ",service.version="
        + w.canonicalRevision();
  }

  /** A new W3C trace context (version 00, sampled) for the tunnel. */
  private static String traceparent() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    java.util.HexFormat hex = java.util.HexFormat.of();
    return "00-"
        + hex.toHexDigits(r.nextLong() | 1)
        + hex.toHexDigits(r.nextLong())
        + "-"
        + hex.toHexDigits(r.nextLong() | 1)
        + "-01";
  }

  private static String forwardedFor(InetSocketAddress source) {
    String ip = source.getAddress().getHostAddress();
    return ip.contains(":") ? "\"[" + ip + "]\"" : ip;
  }
}
