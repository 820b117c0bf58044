package dev.ambit.waypoint.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A client on one connection: HTTP/1.1 keep-alive (sequential) or HTTP/2 prior knowledge. */
public final class TestClient implements AutoCloseable {

  /** A received response, copied out of Netty buffers. */
  public record Response(
      int status, Map<String, String> headers, String body, Map<String, String> trailers) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }

    /** A line "key=value" of an echo body. */
    public String echo(String key) {
      for (String line : body.split("\n")) {
        if (line.startsWith(key + "=")) {
          return line.substring(key.length() + 1);
        }
      }
      return null;
    }
  }

  private final boolean h2;
  private final Channel channel;
  private final BlockingQueue<Response> h1Responses = new ArrayBlockingQueue<>(16);

  private TestClient(boolean h2, Channel channel) {
    this.h2 = h2;
    this.channel = channel;
  }

  public static TestClient http1(EventLoopGroup group, InetSocketAddress to)
      throws InterruptedException {
    TestClient[] self = new TestClient[1];
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel c) {
                    c.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(
                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                              @Override
                              protected void channelRead0(
                                  ChannelHandlerContext ctx, FullHttpResponse r) {
                                self[0].h1Responses.add(copy(r));
                              }
                            });
                  }
                })
            .connect(to)
            .sync()
            .channel();
    self[0] = new TestClient(false, ch);
    return self[0];
  }

  public static TestClient http2(EventLoopGroup group, InetSocketAddress to)
      throws InterruptedException {
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel c) {
                    c.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient().build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                  }
                })
            .connect(to)
            .sync()
            .channel();
    return new TestClient(true, ch);
  }

  /** A client over an already connected byte channel (e.g. an HBONE stream with autoRead off). */
  public static TestClient over(Channel ch, boolean h2) {
    TestClient[] self = new TestClient[1];
    ch.eventLoop()
        .submit(
            () -> {
              if (h2) {
                ch.pipeline()
                    .addLast(Http2FrameCodecBuilder.forClient().build())
                    .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
              } else {
                ch.pipeline()
                    .addLast(new HttpClientCodec())
                    .addLast(new HttpObjectAggregator(1 << 20))
                    .addLast(
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                          @Override
                          protected void channelRead0(
                              ChannelHandlerContext ctx, FullHttpResponse r) {
                            self[0].h1Responses.add(copy(r));
                          }
                        });
              }
              ch.config().setAutoRead(true);
            })
        .syncUninterruptibly();
    self[0] = new TestClient(h2, ch);
    return self[0];
  }

  static Response copy(FullHttpResponse r) {
    Map<String, String> h = new TreeMap<>();
    r.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
    Map<String, String> t = new TreeMap<>();
    r.trailingHeaders().forEach(e -> t.put(e.getKey().toLowerCase(), e.getValue()));
    return new Response(r.status().code(), h, r.content().toString(StandardCharsets.UTF_8), t);
  }

  public Response get(String uri, String... headers) throws Exception {
    return send(HttpMethod.GET, uri, "", headers);
  }

  public Response send(HttpMethod method, String uri, String body, String... headers)
      throws Exception {
    return sendAsync(method, uri, body, headers).get(10, TimeUnit.SECONDS);
  }

  public CompletableFuture<Response> sendAsync(
      HttpMethod method, String uri, String body, String... headers) throws Exception {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, method, uri, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    req.headers().set("host", "reviews.shop.svc.cluster.local:9080");
    for (int i = 0; i < headers.length; i += 2) {
      req.headers().set(headers[i], headers[i + 1]);
    }
    HttpUtil.setContentLength(req, req.content().readableBytes());
    if (!h2) {
      CompletableFuture<Response> f = new CompletableFuture<>();
      channel.writeAndFlush(req).sync();
      Response r = h1Responses.poll(10, TimeUnit.SECONDS);
      if (r == null) {
        f.completeExceptionally(new AssertionError("no HTTP/1.1 response within 10 s"));
      } else {
        f.complete(r);
      }
      return f;
    }
    CompletableFuture<Response> f = new CompletableFuture<>();
    Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel).open().sync().getNow();
    stream
        .pipeline()
        .addLast(new Http2StreamFrameToHttpObjectCodec(false))
        .addLast(new HttpObjectAggregator(1 << 20))
        .addLast(
            new SimpleChannelInboundHandler<FullHttpResponse>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                f.complete(copy(r));
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                f.completeExceptionally(new AssertionError("stream closed without a response"));
              }
            });
    req.headers().set("x-http2-scheme", "http");
    stream.writeAndFlush(req);
    return f;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }
}
