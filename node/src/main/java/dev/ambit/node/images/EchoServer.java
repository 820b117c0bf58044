package dev.ambit.node.images;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ambit/echo} image: HTTP/1.1, h2c by prior knowledge and by upgrade, and gRPC health,
 * all on one port.
 */
public final class EchoServer implements AutoCloseable {
  private static final int MAX_BODY = 1 << 20;

  private final Channel server;
  private final EventLoopGroup group;

  private EchoServer(Channel server, EventLoopGroup group) {
    this.server = server;
    this.group = group;
  }

  /** Binds and serves; the port of {@code bind} may be 0. */
  public static EchoServer start(InetSocketAddress bind, PodInfo pod) {
    EventLoopGroup g = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    try {
      Channel ch =
          new ServerBootstrap()
              .group(g)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      configure(ch.pipeline(), pod);
                    }
                  })
              .bind(bind)
              .syncUninterruptibly()
              .channel();
      return new EchoServer(ch, g);
    } catch (RuntimeException e) {
      g.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public Channel channel() {
    return server;
  }

  static void configure(ChannelPipeline p, PodInfo pod) {
    HttpServerCodec http1 = new HttpServerCodec();
    HttpServerUpgradeHandler upgrade =
        new HttpServerUpgradeHandler(
            http1,
            protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(
                        Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(streamInitializer(pod)))
                    : null,
            MAX_BODY);
    ChannelInitializer<Channel> priorKnowledge =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(
                    Http2FrameCodecBuilder.forServer().build(),
                    new Http2MultiplexHandler(streamInitializer(pod)));
          }
        };
    p.addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, priorKnowledge));
    p.addLast(
        new SimpleChannelInboundHandler<HttpMessage>() {
          // Reached only by HTTP/1.1 requests that did not upgrade: serve them as HTTP/1.1.
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, HttpMessage msg) {
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addAfter(ctx.name(), null, new EchoHandler(pod));
            pipeline.replace(this, null, new HttpObjectAggregator(MAX_BODY));
            ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
          }
        });
  }

  private static ChannelInitializer<Http2StreamChannel> streamInitializer(PodInfo pod) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline()
            .addLast(
                new Http2StreamFrameToHttpObjectCodec(true),
                new HttpObjectAggregator(MAX_BODY),
                new EchoHandler(pod));
      }
    };
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
