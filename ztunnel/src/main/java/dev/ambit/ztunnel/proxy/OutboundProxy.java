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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one outbound connection of a pod to its destination: HBONE to the destination's ztunnel
 * or waypoint (verifying the expected identity), plain TCP for destinations outside the mesh.
 * Shared by the capture listener (15001) and SOCKS5 (15080).
 *
 * <p>Fails closed, and never hangs: a connection is refused (reset) when its destination is
 * unreachable, when the HBONE connect fails, or when it is not relayed within a deadline (the
 * longest legitimate wait: state, certificate, then connection and CONNECT answer); each refusal
 * writes an access-log line and counts the connection with response flag {@code CONNECT}. A failed
 * HBONE connect that sent nothing yet (the proxy refused the TCP or TLS connection, or went away
 * before answering) is tried again at another healthy replica or endpoint, never around a waypoint;
 * proxies that failed are avoided for a few seconds.
 */
final class OutboundProxy {

  private static final Logger LOG = LoggerFactory.getLogger(OutboundProxy.class);

  /** How long a proxy that failed a connect is avoided when another choice exists. */
  static final Duration EJECTION = Duration.ofSeconds(5);

  private final ProxyContext ctx;
  private final PodProxy pod;
  private final Ejections ejections = new Ejections(EJECTION);
  private final long deadlineMillis;

  OutboundProxy(ProxyContext ctx, PodProxy pod) {
    this.ctx = ctx;
    this.pod = pod;
    this.deadlineMillis = deadline(ctx).toMillis();
  }

  /** The longest an accepted connection waits before it is relayed or refused. */
  static Duration deadline(ProxyContext ctx) {
    return ctx.config()
        .stateWait()
        .plus(ctx.config().certificateWait())
        .plus(ctx.pool().config().connectTimeout().multipliedBy(2));
  }

  /**
   * Connects {@code downstream} (autoRead off) to {@code target}; {@code connected} learns whether
   * the upstream side is established (before any byte is relayed).
   */
  void proxy(Channel downstream, InetSocketAddress target, Consumer<Boolean> connected) {
    OutboundAttempt attempt = new OutboundAttempt(downstream, target, connected);
    attempt.deadline(
        downstream
            .eventLoop()
            .schedule(() -> expire(attempt), deadlineMillis, TimeUnit.MILLISECONDS));
    ctx.waiter()
        .await(s -> s.workload(pod.spec().uid()), ctx.config().stateWait())
        .whenComplete((self, error) -> downstream.eventLoop().execute(() -> route(attempt, self)));
  }

  private void expire(OutboundAttempt attempt) {
    if (!attempt.settle()) {
      return;
    }
    LOG.warn(
        "outbound connection of pod {} from {} to {} not established within {} ms; closing it",
        pod.spec().uid(),
        attempt.source(),
        attempt.target(),
        deadlineMillis);
    attempt.refuse(ctx.metrics(), "timeout: not established within " + deadlineMillis + " ms");
  }

  private void refuse(OutboundAttempt attempt, String result) {
    if (attempt.settle()) {
      attempt.refuse(ctx.metrics(), result);
    }
  }

  private void route(OutboundAttempt attempt, WorkloadInfo self) {
    if (self == null) {
      // Without our own state we cannot tell mesh destinations apart: never send plaintext blind.
      LOG.warn(
          "no state for pod {} yet; refusing outbound to {}", pod.spec().uid(), attempt.target());
      refuse(attempt, "no state for the source pod");
      return;
    }
    StateSnapshot state = ctx.state().snapshot();
    Route route = DestinationResolver.resolve(state, self, attempt.target(), ejections::ejected);
    switch (route) {
      case Route.Hbone h -> hbone(attempt, self, h);
      case Route.Passthrough p -> passthrough(attempt, self, p);
      case Route.Unreachable u -> {
        attempt.trying(
            ConnectionLabels.of(
                ConnectionLabels.Reporter.SOURCE, self, self.identity(), null, null, null, false),
            attempt.target());
        refuse(attempt, "unreachable: " + u.reason());
      }
    }
  }

  private void hbone(OutboundAttempt attempt, WorkloadInfo self, Route.Hbone route) {
    WorkloadInfo shown = route.destination() != null ? route.destination() : route.waypoint();
    String expected = route.expectedIdentities().iterator().next();
    attempt.trying(
        ConnectionLabels.of(
            ConnectionLabels.Reporter.SOURCE,
            self,
            pod.identity().uri(),
            shown,
            route.destination() != null ? route.destination().identity() : expected,
            route.service(),
            true),
        route.authority());
    InetSocketAddress source = attempt.source();
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
        .thenCompose(
            cert ->
                ctx.pool().connect(target, cert, pod.sockets(), attempt.downstream().eventLoop()))
        .whenComplete(
            (stream, error) -> {
              if (error == null) {
                relay(attempt, stream);
                return;
              }
              Throwable cause = error.getCause() != null ? error.getCause() : error;
              LOG.debug("HBONE to {} via {} failed", route.authority(), route.proxy(), cause);
              Route.Hbone next = retry(attempt, self, route, cause);
              if (next != null) {
                attempt.downstream().eventLoop().execute(() -> hbone(attempt, self, next));
              } else {
                refuse(attempt, failure(cause));
              }
            });
  }

  /**
   * Another route for a connect that failed before anything was sent (status 0: the proxy refused
   * or dropped the connection), avoiding the proxies that failed; null when none is left or the
   * failure must not be retried (the proxy answered, or the connection was already given up).
   */
  private Route.Hbone retry(
      OutboundAttempt attempt, WorkloadInfo self, Route.Hbone failed, Throwable cause) {
    if (!(cause instanceof HboneException h) || h.status() != 0) {
      return null;
    }
    InetAddress proxy = failed.proxy().getAddress();
    ejections.eject(proxy);
    attempt.proxyFailed(proxy);
    if (!attempt.downstream().isActive()) {
      return null;
    }
    Route again =
        DestinationResolver.resolve(
            ctx.state().snapshot(),
            self,
            attempt.target(),
            ip -> attempt.hasFailed(ip) || ejections.ejected(ip));
    if (again instanceof Route.Hbone next && !attempt.hasFailed(next.proxy().getAddress())) {
      LOG.debug(
          "HBONE to {} via {} failed ({}); trying {}",
          failed.authority(),
          failed.proxy(),
          cause.getMessage(),
          next.proxy());
      return next;
    }
    return null;
  }

  private void passthrough(OutboundAttempt attempt, WorkloadInfo self, Route.Passthrough route) {
    attempt.trying(
        ConnectionLabels.of(
            ConnectionLabels.Reporter.SOURCE,
            self,
            pod.identity().uri(),
            route.destination(),
            null,
            route.service(),
            false),
        route.target());
    Channel downstream = attempt.downstream();
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
            refuse(attempt, "upstream connect failed: " + done.cause().getMessage());
            return;
          }
          relay(attempt, f.channel());
        });
  }

  private void relay(OutboundAttempt attempt, Channel upstream) {
    if (!attempt.settle()) {
      Connections.abort(upstream); // timed out meanwhile: the client was refused
      return;
    }
    Channel downstream = attempt.downstream();
    if (!downstream.isActive()) {
      Connections.abort(upstream);
      new ConnectionRecord(
              ctx.metrics(),
              attempt.labels(),
              attempt.source(),
              attempt.destination(),
              attempt.startNanos())
          .close("client gone");
      return;
    }
    pod.connections().add(downstream);
    pod.connections().add(upstream);
    ConnectionRecord record = attempt.relayed(ctx.metrics());
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
