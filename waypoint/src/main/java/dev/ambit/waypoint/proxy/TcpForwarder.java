package dev.ambit.waypoint.proxy;

import dev.ambit.transport.hbone.Relay;
import dev.ambit.waypoint.authz.AuthzRequest;
import dev.ambit.waypoint.authz.L7Authorizer;
import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.WaypointSnapshot;
import dev.ambit.waypoint.lb.LoadBalancer;
import dev.ambit.waypoint.metrics.RequestMetrics;
import dev.ambit.waypoint.metrics.TcpSeries;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams that are not HTTP: authorized with the connection's attributes only (HTTP conditions fail
 * closed), then spliced to a load-balanced endpoint, counted in the {@code istio_tcp_*} metrics.
 */
final class TcpForwarder {

  private static final Logger LOG = LoggerFactory.getLogger(TcpForwarder.class);

  private final UpstreamConnector connector;
  private final LoadBalancer lb;
  private final RandomGenerator random;
  private final RequestMetrics metrics;

  TcpForwarder(
      UpstreamConnector connector,
      LoadBalancer lb,
      RandomGenerator random,
      RequestMetrics metrics) {
    this.connector = connector;
    this.lb = lb;
    this.random = random;
    this.metrics = metrics;
  }

  /** Takes over the stream; removes {@code sniffer} (releasing the bytes it held) once spliced. */
  void forward(ChannelHandlerContext sniffer, Downstream d, WaypointSnapshot snapshot) {
    Channel down = sniffer.channel();
    down.config().setAutoRead(false);
    AuthzRequest req = AuthzRequest.tcp(d.principal(), d.sourceIp(), d.port());
    L7Authorizer.Decision decision =
        d.service() == null
            ? snapshot.authz().evaluate(null, null, req)
            : snapshot.authz().evaluate(d.service().namespace(), d.service().name(), req);
    if (!decision.allowed()) {
      LOG.info("TCP from {} to {} denied by policy", d.principal(), d.destinationName());
      down.close();
      return;
    }
    List<Endpoint> endpoints =
        d.service() != null
            ? snapshot.mesh().endpoints(d.service(), d.port())
            : List.of(d.workload());
    Optional<Endpoint> picked =
        d.service() != null ? lb.pick(d.service(), endpoints, random) : lb.pick(endpoints, random);
    if (picked.isEmpty()) {
      LOG.info("TCP to {}: no healthy endpoint", d.destinationName());
      down.close();
      return;
    }
    Endpoint ep = picked.get();
    lb.start(ep);
    connector
        .connect(ep, down.eventLoop())
        .whenComplete(
            (up, err) -> {
              if (err != null) {
                lb.finish(ep, true);
                LOG.info(
                    "TCP to {} via {} failed: {}",
                    d.destinationName(),
                    ep.authority(),
                    err.toString());
                down.close();
                return;
              }
              TcpSeries counters =
                  metrics.tcp(RequestLabelCache.key(d, snapshot.mesh(), ep, d.service(), "tcp"));
              counters.opened();
              down.eventLoop()
                  .execute(
                      () -> {
                        Relay.splice(down, up, counters)
                            .whenComplete(
                                (r, e) -> {
                                  counters.closed();
                                  lb.finish(ep, false);
                                });
                        // Relay installs its handler in a task on this loop; queue the hand-over
                        // of the held bytes behind it.
                        down.eventLoop()
                            .execute(
                                () -> {
                                  if (!sniffer.isRemoved()) {
                                    sniffer.pipeline().remove(sniffer.handler());
                                  }
                                });
                      });
            });
  }
}
