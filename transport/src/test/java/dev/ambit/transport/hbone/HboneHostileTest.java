package dev.ambit.transport.hbone;

import static dev.ambit.transport.testing.TestPki.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.testing.TestPki;
import dev.ambit.transport.tls.MeshTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile HBONE requests over real mTLS on loopback, sent by a client that writes whatever headers
 * it likes: anything but a well-formed {@code CONNECT ip:port} is refused on its stream and never
 * reaches the stream handler, and the connection stays usable for well-formed tunnels.
 */
class HboneHostileTest {

  private static final TestPki pki = new TestPki("hostile root");
  private static final SpiffeId SERVER = id("shop", "cart");
  private static final SpiffeId CLIENT = id("web", "frontend");
  private static EventLoopGroup group;

  private final List<HboneRequest> handled = new CopyOnWriteArrayList<>();
  private Channel listener;
  private Channel connection;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start() throws Exception {
    WorkloadCertificate serverCert = pki.issue(SERVER);
    listener =
        new HboneServer(
                ServerTlsSelector.fixed(MeshTls.server(serverCert)),
                stream -> {
                  handled.add(stream.request());
                  stream.reject(503);
                })
            .bind(group, group, NioServerSocketChannel::new, new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    WorkloadCertificate clientCert = pki.issue(CLIENT);
    connection =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            MeshTls.client(clientCert, Set.of(SERVER)).newHandler(ch.alloc()),
                            Http2FrameCodecBuilder.forClient()
                                .validateHeaders(false)
                                // a hostile client sends past the limit the server announced
                                .encoderIgnoreMaxHeaderListSize(true)
                                .build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                  }
                })
            .connect(listener.localAddress())
            .sync()
            .channel();
    connection.pipeline().get(SslHandler.class).handshakeFuture().sync();
  }

  @AfterEach
  void stop() {
    connection.close().syncUninterruptibly();
    listener.close().syncUninterruptibly();
  }

  /** The :status answered to {@code headers}, or -1 when the stream was reset instead. */
  int statusOf(Http2Headers headers) throws Exception {
    CompletableFuture<Integer> status = new CompletableFuture<>();
    Http2StreamChannel stream =
        new Http2StreamChannelBootstrap(connection)
            .handler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Http2HeadersFrame f && f.headers().status() != null) {
                      status.complete(Integer.parseInt(f.headers().status().toString()));
                    } else if (msg instanceof Http2ResetFrame) {
                      status.complete(-1);
                    }
                    ReferenceCountUtil.release(msg);
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    status.complete(-1);
                  }
                })
            .open()
            .sync()
            .getNow();
    stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false));
    return status.get(5, TimeUnit.SECONDS);
  }

  static Http2Headers connect(String authority) {
    Http2Headers h = new DefaultHttp2Headers(false).method("CONNECT");
    if (authority != null) {
      h.authority(authority);
    }
    return h;
  }

  void assertRefused(Http2Headers headers) throws Exception {
    int status = statusOf(headers);
    assertThat(status).as("status (-1: reset) for %s", headers).isIn(400, 431, -1);
    assertThat(handled).as("requests that reached the handler").isEmpty();
    assertThat(statusOf(connect("127.0.0.1:9")))
        .as("a well-formed tunnel on the same connection afterwards")
        .isEqualTo(503);
    assertThat(connection.isActive()).isTrue();
  }

  @Test
  void wellFormedConnectReachesTheHandler() throws Exception {
    assertThat(statusOf(connect("10.1.2.3:8080"))).isEqualTo(503);
    assertThat(handled)
        .singleElement()
        .satisfies(r -> assertThat(r.target().getPort()).isEqualTo(8080));
  }

  @Test
  void getIsRefused() throws Exception {
    assertRefused(
        new DefaultHttp2Headers()
            .method("GET")
            .scheme("https")
            .path("/")
            .authority("10.1.2.3:8080"));
  }

  @Test
  void postIsRefused() throws Exception {
    assertRefused(
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("https")
            .path("/")
            .authority("10.1.2.3:8080"));
  }

  @Test
  void extendedConnectWithPathIsRefused() throws Exception {
    assertRefused(connect("10.1.2.3:8080").path("/").scheme("https").set(":protocol", "websocket"));
  }

  @Test
  void missingAuthorityIsRefused() throws Exception {
    assertRefused(connect(null));
  }

  @Test
  void repeatedAuthorityIsRefused() throws Exception {
    assertRefused(connect("10.1.2.3:8080").add(":authority", "10.9.9.9:22"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "",
        "reviews.shop.svc:9080",
        "localhost:8080",
        "10.1.2.3",
        "10.1.2.3:",
        ":8080",
        "10.1.2.3:0",
        "10.1.2.3:65536",
        "10.1.2.3:-1",
        "10.1.2.3:+80",
        "10.1.2.3:0x50",
        "10.1.2.3:80:80",
        "10.1.2.3: 80",
        "10.1.2.3:80 ",
        "10.1.2.256:80",
        "10.1.2:80",
        "::1:80",
        "[::1:80",
        "[zz::1]:80",
        "[fe80::1%eth0]:80",
        "user@10.1.2.3:80",
        "10.1.2.3:80/path",
        "10.1.2.3\u0000:80",
        "\u00ff\u00fe:80"
      })
  void badAuthorityIsRefused(String authority) throws Exception {
    assertRefused(connect(authority));
  }

  @Test
  void hugeAuthorityIsRefused() throws Exception {
    assertRefused(connect("1".repeat(6000) + ":80"));
  }

  @Test
  void slightlyOversizedHeaderListIsRefused() throws Exception {
    assertRefused(connect("10.1.2.3:8080").set("baggage", "k=" + "v".repeat(8200)));
  }

  @Test
  void farOversizedHeaderListClosesTheConnection() throws Exception {
    assertThat(statusOf(connect("10.1.2.3:8080").set("baggage", "k=" + "v".repeat(20_000))))
        .isEqualTo(-1);
    assertThat(handled).isEmpty();
    connection.closeFuture().await(5, TimeUnit.SECONDS);
    assertThat(connection.isActive()).isFalse();
  }

  @Test
  void manyHeadersBeyondTheListSizeAreRefused() throws Exception {
    Http2Headers h = connect("10.1.2.3:8080");
    // 300 x (name + value + 32) is over the 8 KiB list, while the encoded block is small
    for (int i = 0; i < 300; i++) {
      h.add("x-h" + i, "v");
    }
    assertRefused(h);
  }
}
