package dev.ambit.waypoint.testing;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.proxy.UpstreamConnector;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test upstream: a real TCP connect to the loopback server standing in for a pod address
 * ("podIP:port" -> 127.0.0.1:port). Unmapped pods refuse like a closed port.
 */
public final class TcpConnector implements UpstreamConnector {

  private final Map<String, InetSocketAddress> pods = new ConcurrentHashMap<>();
  public final AtomicInteger connects = new AtomicInteger();

  public void map(String podAuthority, InetSocketAddress local) {
    pods.put(podAuthority, local);
  }

  @Override
  public CompletableFuture<Channel> connect(Endpoint endpoint, EventLoop loop) {
    connects.incrementAndGet();
    CompletableFuture<Channel> f = new CompletableFuture<>();
    InetSocketAddress to =
        pods.getOrDefault(endpoint.authority(), new InetSocketAddress("127.0.0.1", 1));
    new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.AUTO_READ, false)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(to)
        .addListener(
            c -> {
              if (c.isSuccess()) {
                f.complete(((io.netty.channel.ChannelFuture) c).channel());
              } else {
                f.completeExceptionally(c.cause());
              }
            });
    return f;
  }
}
