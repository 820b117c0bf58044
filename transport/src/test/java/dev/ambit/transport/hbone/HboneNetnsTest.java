package dev.ambit.transport.hbone;

import static dev.ambit.transport.testing.TestPki.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.netns.NetnsChannelFactory;
import dev.ambit.transport.socket.SocketOptions;
import dev.ambit.transport.testing.TestNetns;
import dev.ambit.transport.testing.TestPki;
import dev.ambit.transport.tls.MeshTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** HBONE where every socket lives in a namespace the test made, opened from this JVM. */
class HboneNetnsTest {

  private static final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
  private static final String POD_IP = "10.77.0.1";

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void tunnelBetweenSocketsOfAnotherNamespace() throws Exception {
    TestPki pki = new TestPki("netns root");
    SpiffeId serverId = id("shop", "cart");
    try (TestNetns ns = TestNetns.create()) {
      ns.addresses(POD_IP + "/24");
      NetnsChannelFactory<EpollServerSocketChannel> listeners =
          NetnsChannelFactory.serverSocket(ns.path(), ch -> {});
      NetnsChannelFactory<EpollSocketChannel> sockets =
          NetnsChannelFactory.socket(
              ns.path(), ch -> SocketOptions.mark(ch, SocketOptions.ZTUNNEL_MARK));

      Channel app =
          new ServerBootstrap()
              .group(group)
              .channelFactory(listeners)
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(
                              new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                  ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
                                }
                              });
                    }
                  })
              .bind(new InetSocketAddress(POD_IP, 8080))
              .sync()
              .channel();
      HboneServer server =
          new HboneServer(
              ServerTlsSelector.fixed(MeshTls.server(pki.issue(serverId))),
              stream ->
                  new Bootstrap()
                      .group(stream.channel().eventLoop())
                      .channelFactory(sockets)
                      .option(ChannelOption.AUTO_READ, false)
                      .handler(Relay.holdInbound())
                      .connect(stream.request().target())
                      .addListener(
                          (ChannelFutureListener)
                              f -> {
                                if (f.isSuccess()) {
                                  stream.accept(f.channel(), RelayCounters.NONE);
                                } else {
                                  stream.reject(503);
                                }
                              }));
      Channel hbone =
          server
              .bind(group, group, listeners, new InetSocketAddress(POD_IP, 15008))
              .sync()
              .channel();
      try (HbonePool pool = new HbonePool(group, HbonePoolConfig.defaults())) {
        Channel stream =
            pool.connect(
                    new HboneTarget(
                        new InetSocketAddress(POD_IP, 15008),
                        new InetSocketAddress(POD_IP, 8080),
                        Set.of(serverId)),
                    pki.issue(id("web", "frontend")),
                    sockets)
                .get(10, TimeUnit.SECONDS);
        CompletableFuture<String> reply = new CompletableFuture<>();
        stream
            .pipeline()
            .addLast(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    reply.complete(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                    ((ByteBuf) msg).release();
                  }
                });
        stream.config().setAutoRead(true);
        stream.writeAndFlush(Unpooled.copiedBuffer("inside", StandardCharsets.UTF_8));
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("inside");
        assertThat(
                ((InetSocketAddress) stream.parent().localAddress()).getAddress().getHostAddress())
            .isEqualTo(POD_IP);
      } finally {
        hbone.close().sync();
        app.close().sync();
      }
    }
  }
}
