package dev.ambit.waypoint.hbone;

import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HboneTarget;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.proxy.FlushMerging;
import dev.ambit.waypoint.proxy.UpstreamConnector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Upstream streams over HBONE: a CONNECT to the endpoint pod's ztunnel ({@code podIP:15008}) with
 * {@code :authority = podIP:targetPort}, presenting the waypoint's certificate and accepting only
 * the pod's own SPIFFE identity. Streams to the same pod share pooled TLS connections: those of the
 * caller's event loop, so a request and its upstream stream are served by one thread.
 */
public final class HboneConnector implements UpstreamConnector {

  /** The HBONE port of a pod: where its node's ztunnel listens inside the pod's netns. */
  public static final Function<Endpoint, InetSocketAddress> POD_HBONE_PORT =
      ep -> new InetSocketAddress(ep.address(), 15008);

  private final HbonePool pool;
  private final Supplier<WorkloadCertificate> certificate;
  private final ChannelFactory<? extends Channel> sockets;
  private final Function<Endpoint, InetSocketAddress> proxyAddress;

  /**
   * @param pools the pool to use for a caller on a given event loop (e.g. {@link LoopPools#of}, so
   *     that upstream streams run on the loop of the request that uses them)
   * @param certificate the waypoint's current certificate (rotations are picked up per connect)
   * @param sockets makes the TCP sockets (a netns factory when the waypoint runs outside its pod)
   * @param proxyAddress where the HBONE endpoint of a pod is, normally {@link #POD_HBONE_PORT}
   */
  public HboneConnector(
      HbonePool pool,
      Supplier<WorkloadCertificate> certificate,
      ChannelFactory<? extends Channel> sockets,
      Function<Endpoint, InetSocketAddress> proxyAddress) {
    this.pool = pool;
    this.certificate = certificate;
    this.sockets = sockets;
    this.proxyAddress = proxyAddress;
  }

  @Override
  public CompletableFuture<Channel> connect(Endpoint endpoint, EventLoop loop) {
    Optional<SpiffeId> expected = SpiffeId.tryParse(endpoint.identity());
    if (expected.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("endpoint " + endpoint.key() + " has no valid identity"));
    }
    HboneTarget target =
        new HboneTarget(
            proxyAddress.apply(endpoint), endpoint.authority(), Set.of(expected.get()), Map.of());
    return pool.connect(target, certificate.get(), sockets, loop)
        .thenApply(
            stream -> {
              FlushMerging.onConnectionOf(stream);
              return stream;
            });
  }
}
