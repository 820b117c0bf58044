package dev.ambit.waypoint.testing;

import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.waypoint.config.ConfigStore;
import dev.ambit.waypoint.metrics.RequestMetrics;
import dev.ambit.waypoint.proxy.Downstream;
import dev.ambit.waypoint.proxy.ProxyOptions;
import dev.ambit.waypoint.proxy.RequestTracer;
import dev.ambit.waypoint.proxy.UpstreamConnector;
import dev.ambit.waypoint.proxy.WaypointProxy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

/**
 * A waypoint on loopback: downstream plain TCP (each listener stands for one tunnel target),
 * upstream real TCP to echo servers standing in for pods v1 (10.241.1.11) and v2 (10.241.1.12).
 */
public final class Harness implements AutoCloseable {

  public static final String CLIENT = "spiffe://cluster.local/ns/shop/sa/curl";

  public final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  public final EchoServer v1;
  public final EchoServer v2;
  public final TcpConnector connector = new TcpConnector();
  public final UpstreamConnector upstream;
  public final ConfigStore config = new ConfigStore("shop", "waypoint");
  public final RequestMetrics metrics = new RequestMetrics();
  public final WaypointProxy proxy;
  private final List<Channel> listeners = new ArrayList<>();
  public final Mesh mesh;

  public Harness(ProxyOptions options, RequestTracer tracer) throws InterruptedException {
    this(options, tracer, h -> h.connector);
  }

  /**
   * @param upstream makes the connector the proxy uses (called once the echo pods exist)
   */
  public Harness(
      ProxyOptions options, RequestTracer tracer, Function<Harness, UpstreamConnector> upstream)
      throws InterruptedException {
    v1 = new EchoServer("v1", group);
    v2 = new EchoServer("v2", group);
    connector.map("10.241.1.11:8080", v1.address());
    connector.map("10.241.1.12:8080", v2.address());
    mesh =
        new Mesh()
            .service("reviews", "10.96.0.10", 9080, 8080)
            .service("reviews-v1", "10.96.0.11", 9080, 8080)
            .service("reviews-v2", "10.96.0.12", 9080, 8080)
            .service("unbound", "10.96.0.13", 9080, 8080, null)
            .pod("reviews-v1", "10.241.1.11", "reviews", "reviews-v1")
            .pod("reviews-v2", "10.241.1.12", "reviews", "reviews-v2")
            .pod("curl", "10.241.1.50");
    config(List.of(), List.of());
    this.upstream = upstream.apply(this);
    proxy = new WaypointProxy(config, this.upstream, metrics, options, new Random(1234), tracer);
  }

  public Harness() throws InterruptedException {
    this(ProxyOptions.defaults(), RequestTracer.PROPAGATE_ONLY);
  }

  public void config(List<HttpRoute> routes, List<L7Authorization> policies) {
    config.update(mesh.addresses(), routes, policies);
  }

  /** A local listener whose connections act as tunnels to {@code target} from the curl pod. */
  public InetSocketAddress tunnelTo(String ip, int port) throws Exception {
    InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(ip), port);
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) throws Exception {
                    Optional<Downstream> d =
                        proxy.resolve(target, CLIENT, InetAddress.getByName("10.241.1.50"), null);
                    if (d.isEmpty()) {
                      ch.close();
                      return;
                    }
                    proxy.serve(ch, d.get());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    listeners.add(server);
    return (InetSocketAddress) server.localAddress();
  }

  public InetSocketAddress reviews() throws Exception {
    return tunnelTo("10.96.0.10", 9080);
  }

  @Override
  public void close() {
    listeners.forEach(c -> c.close().syncUninterruptibly());
    proxy.close();
    v1.close();
    v2.close();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
