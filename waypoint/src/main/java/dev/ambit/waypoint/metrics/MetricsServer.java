package dev.ambit.waypoint.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Serves {@code GET /metrics} (Prometheus text) and {@code GET /healthz/ready}. */
public final class MetricsServer implements AutoCloseable {

  private final Channel channel;

  private MetricsServer(Channel channel) {
    this.channel = channel;
  }

  /**
   * @param serverSockets makes the listening socket (of the same transport as {@code group})
   * @param scrape renders the metrics text
   * @param ready whether the waypoint has its configuration
   */
  public static MetricsServer start(
      EventLoopGroup group,
      ChannelFactory<? extends ServerChannel> serverSockets,
      InetSocketAddress address,
      Supplier<String> scrape,
      BooleanSupplier ready)
      throws InterruptedException {
    Channel ch =
        new ServerBootstrap()
            .group(group)
            .channelFactory(serverSockets)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    c.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new Handler(scrape, ready));
                  }
                })
            .bind(address)
            .sync()
            .channel();
    return new MetricsServer(ch);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<String> scrape;
    private final BooleanSupplier ready;

    Handler(Supplier<String> scrape, BooleanSupplier ready) {
      this.scrape = scrape;
      this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String path = req.uri();
      int q = path.indexOf('?');
      path = q < 0 ? path : path.substring(0, q);
      FullHttpResponse res =
          switch (path) {
            case "/metrics", "/stats/prometheus" ->
                text(HttpResponseStatus.OK, scrape.get(), "text/plain; version=0.0.4");
            case "/healthz/ready" ->
                ready.getAsBoolean()
                    ? text(HttpResponseStatus.OK, "ready\n", "text/plain")
                    : text(
                        HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "no configuration yet\n",
                        "text/plain");
            default -> text(HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain");
          };
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      HttpUtil.setKeepAlive(res, keepAlive);
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      HttpUtil.setContentLength(res, res.content().readableBytes());
      return res;
    }
  }
}
