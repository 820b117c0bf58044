package dev.ambit.node.images;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The {@code ambit/tcp-echo} image: writes back every byte; closes its side when the peer does. */
public final class TcpEchoServer implements AutoCloseable {
  private final Channel server;
  private final EventLoopGroup group;

  private TcpEchoServer(Channel server, EventLoopGroup group) {
    this.server = server;
    this.group = group;
  }

  public static TcpEchoServer start(InetSocketAddress bind) {
    EventLoopGroup g = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    try {
      Channel ch =
          new ServerBootstrap()
              .group(g)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
              .childHandler(new Echo())
              .bind(bind)
              .syncUninterruptibly()
              .channel();
      return new TcpEchoServer(ch, g);
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

  @io.netty.channel.ChannelHandler.Sharable
  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
            .addListener(
                f ->
                    ((DuplexChannel) ctx.channel())
                        .shutdownOutput()
                        .addListener(ChannelFutureListener.CLOSE));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
