package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.WaypointSnapshot;
import dev.ambit.waypoint.lb.LoadBalancer;
import io.netty.channel.ChannelHandlerContext;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Streams that are not HTTP: proxied as TCP to an endpoint under L4 rules. */
final class TcpForwarder {

  private static final Logger LOG = LoggerFactory.getLogger(TcpForwarder.class);

  private final UpstreamConnector connector;
  private final LoadBalancer lb;
  private final RandomGenerator random;

  TcpForwarder(UpstreamConnector connector, LoadBalancer lb, RandomGenerator random) {
    this.connector = connector;
    this.lb = lb;
    this.random = random;
  }

  void forward(ChannelHandlerContext sniffer, Downstream d, WaypointSnapshot snapshot) {
    LOG.info(
        "TCP through the waypoint is not supported yet; closing stream to {}", d.destinationName());
    sniffer.channel().close();
  }
}
