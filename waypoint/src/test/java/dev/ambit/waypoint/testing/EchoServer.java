package dev.ambit.waypoint.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 + HTTP/2 (prior knowledge) server that answers with what it received:
 * "name=..", "method=..", "uri=.." and one "h:name=value" line per header. Request headers steer
 * it: {@code x-echo-status} (answer code), {@code x-echo-delay-ms}. With {@link #flaky} set it
 * answers 503 to the first two of every three requests. Raw TCP is echoed back byte for byte.
 */
public final class EchoServer implements AutoCloseable {

  public record Received(String method, String uri, Map<String, String> headers) {}

  private final String name;
  private final Channel server;
  public final AtomicInteger connections = new AtomicInteger();
  public final AtomicInteger openConnections = new AtomicInteger();
  public final AtomicInteger requestCount = new AtomicInteger();
  public final List<Received> received = new CopyOnWriteArrayList<>();
  public volatile boolean flaky;
  public volatile int failStatus;

  public EchoServer(String name, EventLoopGroup group) throws InterruptedException {
    this.name = name;
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.incrementAndGet();
                    openConnections.incrementAndGet();
                    ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                    ch.pipeline().addLast(new Detect());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }

  private final class Detect extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < 3) {
        return;
      }
      String start = in.toString(in.readerIndex(), 3, StandardCharsets.US_ASCII);
      if (start.equals("PRI")) {
        ctx.pipeline()
            .addLast(Http2FrameCodecBuilder.forServer().build())
            .addLast(
                new Http2MultiplexHandler(
                    new ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel s) {
                        s.pipeline()
                            .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                            .addLast(new HttpObjectAggregator(1 << 20))
                            .addLast(new Handler());
                      }
                    }));
      } else if (Character.isUpperCase(start.charAt(0))) {
        ctx.pipeline()
            .addLast(new HttpServerCodec())
            .addLast(new HttpObjectAggregator(1 << 20))
            .addLast(new Handler());
      } else {
        ctx.pipeline()
            .addLast(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext c, Object msg) {
                    c.writeAndFlush(msg);
                  }
                });
      }
      ctx.pipeline().remove(this);
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      int n = requestCount.incrementAndGet();
      Map<String, String> headers = new TreeMap<>();
      req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
      received.add(new Received(req.method().name(), req.uri(), headers));
      StringBuilder body = new StringBuilder();
      body.append("name=").append(name).append('\n');
      body.append("method=").append(req.method()).append('\n');
      body.append("uri=").append(req.uri()).append('\n');
      body.append("body=").append(req.content().toString(StandardCharsets.UTF_8)).append('\n');
      headers.forEach((k, v) -> body.append("h:").append(k).append('=').append(v).append('\n'));
      int status = Integer.parseInt(req.headers().get("x-echo-status", "200"));
      if (failStatus != 0) {
        status = failStatus;
      }
      if (flaky && n % 3 != 0) {
        status = 503;
      }
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      res.headers().set("content-type", "text/plain");
      res.headers().set("x-served-by", name);
      HttpUtil.setContentLength(res, res.content().readableBytes());
      if (req.headers().get("content-type", "").startsWith("application/grpc")) {
        res.headers().set("content-type", "application/grpc");
        res.trailingHeaders().set("grpc-status", req.headers().get("x-echo-grpc-status", "0"));
      }
      int delay = Integer.parseInt(req.headers().get("x-echo-delay-ms", "0"));
      if (delay > 0) {
        ctx.executor().schedule(() -> ctx.writeAndFlush(res), delay, TimeUnit.MILLISECONDS);
      } else {
        ctx.writeAndFlush(res);
      }
    }
  }
}
