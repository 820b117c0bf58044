package dev.ambit.ztunnel.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal HTTP/1.1 server for the admin, metrics and readiness endpoints. Handlers run on a
 * virtual thread per request so the event loop never blocks.
 */
public final class HttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  private final Channel channel;
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();

  private HttpServer(
      String name,
      InetSocketAddress address,
      Map<String, HttpEndpoint> routes,
      EventLoopGroup group)
      throws InterruptedException {
    Map<String, HttpEndpoint> table = Map.copyOf(routes);
    this.channel =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .option(EpollChannelOption.SO_REUSEPORT, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new Dispatcher(table));
                  }
                })
            .bind(address)
            .sync()
            .channel();
    LOG.info("{} listening on {}", name, channel.localAddress());
  }

  /** Binds {@code address} (port 0 picks a free port) and serves {@code routes} by exact path. */
  public static HttpServer start(
      String name,
      InetSocketAddress address,
      Map<String, HttpEndpoint> routes,
      EventLoopGroup group)
      throws InterruptedException {
    return new HttpServer(name, address, routes, group);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    handlers.close();
  }

  private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Map<String, HttpEndpoint> routes;

    Dispatcher(Map<String, HttpEndpoint> routes) {
      this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      String method = request.method().name();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpEndpoint endpoint = routes.get(uri.path());
      if (endpoint == null) {
        write(ctx, HttpResponse.text(404, "no such endpoint: " + uri.path() + "\n"), keepAlive);
        return;
      }
      handlers.execute(
          () -> {
            HttpResponse response;
            try {
              response = endpoint.handle(method, uri.parameters());
            } catch (Exception e) {
              LOG.warn("{} {} failed", method, uri.path(), e);
              response = HttpResponse.text(500, e + "\n");
            }
            HttpResponse r = response;
            ctx.executor().execute(() -> write(ctx, r, keepAlive));
          });
    }

    private void write(ChannelHandlerContext ctx, HttpResponse r, boolean keepAlive) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(r.status()),
              Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      HttpUtil.setContentLength(response, response.content().readableBytes());
      HttpUtil.setKeepAlive(response, keepAlive);
      var f = ctx.writeAndFlush(response);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
