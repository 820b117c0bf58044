package dev.ambit.ztunnel.proxy;

import dev.ambit.transport.hbone.HboneRequest;
import dev.ambit.transport.hbone.HboneStream;
import dev.ambit.transport.hbone.RelayCounters;
import dev.ambit.ztunnel.authz.ConnectionAttributes;
import dev.ambit.ztunnel.authz.Decision;
import dev.ambit.ztunnel.authz.InboundAuthorizer;
import dev.ambit.ztunnel.authz.OpenConnections;
import dev.ambit.ztunnel.state.StateSnapshot;
import dev.ambit.ztunnel.state.WorkloadInfo;
import dev.ambit.ztunnel.telemetry.ConnectionLabels;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits connections to a pod: HBONE streams on 15008 (mutual TLS already verified) and plaintext
 * on 15006. Each is checked against the destination's waypoint binding and L4 policy, then
 * connected to the application with the original source address, and tracked so that a policy
 * change can close it.
 *
 * <p>Plaintext inbound is evaluated without a principal or namespace: identity-based ALLOW rules
 * and waypoint-bound destinations refuse it, and so does STRICT PeerAuthentication, which the
 * control plane sends as a DENY policy matching peers without a principal; otherwise (PERMISSIVE)
 * it is admitted subject to policy.
 */
final class InboundProxy {

  private static final Logger LOG = LoggerFactory.getLogger(InboundProxy.class);

  private final ProxyContext ctx;
  private final PodProxy pod;

  InboundProxy(ProxyContext ctx, PodProxy pod) {
    this.ctx = ctx;
    this.pod = pod;
  }

  /** Answers one HBONE CONNECT: 400 bad authority, 401 denied, 503 upstream refused, else 200. */
  void hbone(HboneStream stream) {
    HboneRequest request = stream.request();
    InetSocketAddress target = request.target();
    if (!pod.spec().ips().contains(target.getAddress()) || isOwnPort(target.getPort())) {
      LOG.debug(
          "HBONE authority {} is not an application port of pod {}", target, pod.spec().uid());
      stream.reject(400);
      return;
    }
    InetSocketAddress peer = (InetSocketAddress) request.peerAddress();
    String peerId = request.peer().uri();
    ctx.waiter()
        .await(s -> s.workload(pod.spec().uid()), ctx.config().stateWait())
        .whenComplete(
            (self, e) -> {
              StateSnapshot state = ctx.state().snapshot();
              WorkloadInfo destination = self != null ? self : pod.placeholder();
              WorkloadInfo source = sourceWorkload(state, peer, peerId);
              ConnectionRecord record =
                  new ConnectionRecord(
                      ctx.metrics(),
                      ConnectionLabels.of(
                          ConnectionLabels.Reporter.DESTINATION,
                          source,
                          peerId,
                          destination,
                          pod.identity().uri(),
                          state.serviceAtTargetPort(destination, target.getPort()),
                          true),
                      peer,
                      target);
              ConnectionAttributes attrs =
                  ConnectionAttributes.of(
                      peer.getAddress(), peerId, target.getAddress(), target.getPort());
              Decision d = InboundAuthorizer.authorize(state, destination, attrs);
              if (!d.allowed()) {
                LOG.debug("denied {} -> {}: {}", peerId, target, d.reason());
                record.closeDenied("denied: " + d.reason());
                stream.reject(401);
                return;
              }
              connect(stream.channel().eventLoop(), peer.getAddress(), target)
                  .whenComplete(
                      (upstream, error) -> {
                        if (error != null) {
                          record.close("upstream connect failed: " + error.getMessage());
                          stream.reject(503);
                          return;
                        }
                        Channel downstream = stream.channel();
                        Runnable untrack = track(destination, attrs, downstream, upstream, record);
                        stream
                            .accept(upstream, counters(record))
                            .whenComplete(
                                (r, x) -> {
                                  untrack.run();
                                  record.close(OutboundProxy.result(r, x));
                                });
                      });
            });
  }

  /** Admits a plaintext connection captured on 15006; its local address is the destination. */
  void plaintext(Channel downstream) {
    InetSocketAddress target = (InetSocketAddress) downstream.localAddress();
    InetSocketAddress peer = (InetSocketAddress) downstream.remoteAddress();
    if (isOwnPort(target.getPort())) {
      Connections.abort(downstream);
      return;
    }
    ctx.waiter()
        .await(s -> s.workload(pod.spec().uid()), ctx.config().stateWait())
        .whenComplete(
            (self, e) -> {
              StateSnapshot state = ctx.state().snapshot();
              WorkloadInfo destination = self != null ? self : pod.placeholder();
              ConnectionRecord record =
                  new ConnectionRecord(
                      ctx.metrics(),
                      ConnectionLabels.of(
                          ConnectionLabels.Reporter.DESTINATION,
                          state.workloadByIp(peer.getAddress()),
                          null,
                          destination,
                          pod.identity().uri(),
                          state.serviceAtTargetPort(destination, target.getPort()),
                          false),
                      peer,
                      target);
              ConnectionAttributes attrs =
                  ConnectionAttributes.of(
                      peer.getAddress(), null, target.getAddress(), target.getPort());
              Decision d = InboundAuthorizer.authorize(state, destination, attrs);
              if (!d.allowed()) {
                record.closeDenied("denied: " + d.reason());
                Connections.abort(downstream);
                return;
              }
              connect(downstream.eventLoop(), peer.getAddress(), target)
                  .whenComplete(
                      (upstream, error) -> {
                        if (error != null) {
                          record.close("upstream connect failed: " + error.getMessage());
                          Connections.abort(downstream);
                          return;
                        }
                        Runnable untrack = track(destination, attrs, downstream, upstream, record);
                        dev.ambit.transport.hbone.Relay.splice(
                                downstream, upstream, counters(record))
                            .whenComplete(
                                (r, x) -> {
                                  untrack.run();
                                  record.close(OutboundProxy.result(r, x));
                                });
                      });
            });
  }

  /**
   * The workload at the peer's address, when its identity is the one the peer proved (a waypoint or
   * another proxy connecting on a workload's behalf is not that workload).
   */
  private static WorkloadInfo sourceWorkload(
      StateSnapshot state, InetSocketAddress peer, String peerId) {
    WorkloadInfo w = state.workloadByIp(peer.getAddress());
    return w != null && w.identity().equals(peerId) ? w : null;
  }

  private boolean isOwnPort(int port) {
    var c = ctx.config();
    return port == c.outboundPort()
        || port == c.inboundPlaintextPort()
        || port == c.hbonePort()
        || port == c.socksPort();
  }

  /**
   * Connects to the application at {@code target} from inside the pod, bound to the original source
   * address when transparent mode is on.
   */
  private CompletableFuture<Channel> connect(
      EventLoop loop, InetAddress source, InetSocketAddress target) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channelFactory(ctx.config().transparent() ? pod.transparentSockets() : pod.sockets())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(dev.ambit.transport.hbone.Relay.holdInbound());
    ChannelFuture f =
        ctx.config().transparent()
            ? b.connect(target, new InetSocketAddress(source, 0))
            : b.connect(target);
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            pod.connections().add(f.channel());
            result.complete(f.channel());
          } else {
            result.completeExceptionally(done.cause());
          }
        });
    return result;
  }

  private Runnable track(
      WorkloadInfo destination,
      ConnectionAttributes attrs,
      Channel downstream,
      Channel upstream,
      ConnectionRecord record) {
    pod.connections().add(downstream);
    return ctx.open()
        .track(
            new OpenConnections.Tracked() {
              @Override
              public WorkloadInfo destination() {
                return destination;
              }

              @Override
              public ConnectionAttributes attributes() {
                return attrs;
              }

              @Override
              public void close(String reason) {
                record.closeDenied(reason);
                Connections.abort(downstream);
                Connections.abort(upstream);
              }
            });
  }

  private static RelayCounters counters(ConnectionRecord record) {
    return new RelayCounters() {
      @Override
      public void aToB(int bytes) {
        record.received(bytes);
      }

      @Override
      public void bToA(int bytes) {
        record.sent(bytes);
      }
    };
  }
}
