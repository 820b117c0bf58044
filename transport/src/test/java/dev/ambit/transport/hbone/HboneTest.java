package dev.ambit.transport.hbone;

import static dev.ambit.transport.testing.TestPki.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.testing.TestPki;
import dev.ambit.transport.tls.MeshTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HBONE end to end on loopback: app -> capture listener -> pool -> HBONE server -> upstream. */
class HboneTest {

  private static final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
  private static final TestPki pki = new TestPki("hbone root");
  private static final SpiffeId SERVER = id("shop", "cart");
  private static final SpiffeId CLIENT = id("web", "frontend");
  private static final ChannelFactory<EpollSocketChannel> SOCKETS = EpollSocketChannel::new;
  private static final int DENIED_PORT = 1;
  private static final int RAW_PORT = 2;
  private static final int FAILING_HANDLER_PORT = 3;
  private static final long RESET_AFTER_BYTES = 4 << 20;
  private static final java.util.concurrent.Executor VIRTUAL = Thread.ofVirtual()::start;

  private final WorkloadCertificate clientCert = pki.issue(CLIENT);
  private final List<Channel> closeAfter = new ArrayList<>();
  private final List<HboneRequest> requests = new CopyOnWriteArrayList<>();
  private final List<Channel> serverConnections = new CopyOnWriteArrayList<>();
  private final ByteCounters serverCounters = new ByteCounters();
  private final List<Throwable> captureErrors = new CopyOnWriteArrayList<>();
  private final List<Throwable> upstreamErrors = new CopyOnWriteArrayList<>();
  private Channel echo;
  private Channel resetter;
  private HbonePool pool;
  private HboneServer server;

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() throws Exception {
    echo = listen(new EchoThenHalfClose());
    resetter = listen(new ResetOnFirstByte());
  }

  @AfterEach
  void tearDown() {
    if (pool != null) {
      pool.close();
    }
    closeAfter.forEach(Channel::close);
  }

  private Channel listen(ChannelInboundHandlerAdapter handler) throws InterruptedException {
    Channel ch =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel c) {
                    c.pipeline().addLast(handler);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    closeAfter.add(ch);
    return ch;
  }

  /** An HBONE server whose handler connects upstream, denies port 1, answers 503 when refused. */
  private InetSocketAddress hboneServer(WorkloadCertificate serverCert, int maxStreams)
      throws InterruptedException {
    SslContext context = MeshTls.server(serverCert);
    ServerTlsSelector selector =
        accepted -> {
          serverConnections.add(accepted);
          return CompletableFuture.completedFuture(context);
        };
    server =
        new HboneServer(
            selector,
            stream -> {
              HboneRequest request = stream.request();
              requests.add(request);
              if (request.target().getPort() == DENIED_PORT) {
                stream.reject(401);
                return;
              }
              if (request.target().getPort() == FAILING_HANDLER_PORT) {
                throw new IllegalStateException("handler bug");
              }
              if (request.target().getPort() == RAW_PORT) {
                // Like a waypoint: answer first, set up the byte pipeline later; nothing is lost.
                stream.accept();
                stream
                    .channel()
                    .eventLoop()
                    .schedule(
                        () -> {
                          stream.channel().pipeline().addLast(new UpperCase());
                          stream.channel().config().setAutoRead(true);
                        },
                        100,
                        TimeUnit.MILLISECONDS);
                return;
              }
              new Bootstrap()
                  .group(stream.channel().eventLoop())
                  .channel(EpollSocketChannel.class)
                  .option(ChannelOption.AUTO_READ, false)
                  .handler(new ChannelInboundHandlerAdapter())
                  .connect(request.target())
                  .addListener(
                      (io.netty.channel.ChannelFutureListener)
                          f -> {
                            if (f.isSuccess()) {
                              stream.accept(f.channel(), serverCounters);
                            } else {
                              stream.reject(503);
                            }
                          });
            },
            maxStreams);
    Channel listener =
        server
            .bind(
                group, group, EpollServerSocketChannel::new, new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    closeAfter.add(listener);
    return (InetSocketAddress) listener.localAddress();
  }

  /**
   * A plain listener standing for ztunnel's outbound capture: splices each app connection into
   * HBONE.
   */
  private InetSocketAddress captureListener(HboneTarget target, ByteCounters counters)
      throws InterruptedException {
    return captureListener(target, counters, null);
  }

  /**
   * As ztunnel's capture: each app connection's stream is opened on {@code loop}, or on the app
   * connection's own event loop when null (one pooled connection per loop).
   */
  private InetSocketAddress captureListener(
      HboneTarget target, ByteCounters counters, EventLoop loop) throws InterruptedException {
    Channel ch =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel app) {
                    app.pipeline().addLast(Relay.holdInbound());
                    pool.connect(target, clientCert, SOCKETS, loop != null ? loop : app.eventLoop())
                        .whenComplete(
                            (stream, error) -> {
                              if (error != null) {
                                captureErrors.add(error);
                                Relay.abort(app);
                              } else {
                                Relay.splice(app, stream, counters);
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    closeAfter.add(ch);
    return (InetSocketAddress) ch.localAddress();
  }

  private HboneTarget targetFor(InetSocketAddress hbone, InetSocketAddress upstream) {
    return new HboneTarget(hbone, upstream, Set.of(SERVER));
  }

  private static byte[] roundTrip(InetSocketAddress address, byte[] payload) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5000);
      socket.setSoTimeout(10_000);
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = socket.getOutputStream();
                  out.write(payload);
                  out.flush();
                  socket.shutdownOutput();
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              },
              VIRTUAL);
      byte[] received = socket.getInputStream().readAllBytes();
      writer.get(10, TimeUnit.SECONDS);
      return received;
    }
  }

  @Test
  void bytesFlowBothWaysThroughTheTunnelWithHalfCloseAndCounters() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    ByteCounters clientCounters = new ByteCounters();
    InetSocketAddress capture =
        captureListener(targetFor(hbone, (InetSocketAddress) echo.localAddress()), clientCounters);

    byte[] payload = "hello through the mesh".getBytes(StandardCharsets.UTF_8);
    byte[] back = roundTrip(capture, payload);
    assertThat(captureErrors).isEmpty();
    assertThat(back).isEqualTo(payload);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(clientCounters.aToBTotal()).isEqualTo(payload.length);
              assertThat(clientCounters.bToATotal()).isEqualTo(payload.length);
              assertThat(serverCounters.aToBTotal()).isEqualTo(payload.length);
              assertThat(serverCounters.bToATotal()).isEqualTo(payload.length);
            });
    HboneRequest request = requests.getFirst();
    assertThat(request.peer()).isEqualTo(CLIENT);
    assertThat(request.target()).isEqualTo(echo.localAddress());
  }

  @Test
  void rawAcceptedStreamCarriesBytesSentBeforeTheServerWasReady() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    InetSocketAddress capture =
        captureListener(
            targetFor(hbone, new InetSocketAddress("127.0.0.1", RAW_PORT)), new ByteCounters());
    byte[] back = roundTrip(capture, "quiet words".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo("QUIET WORDS");
  }

  @Test
  void largeTransferIsRelayedCompletelyUnderBackpressure() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    ByteCounters clientCounters = new ByteCounters();
    InetSocketAddress capture =
        captureListener(targetFor(hbone, (InetSocketAddress) echo.localAddress()), clientCounters);

    byte[] payload = new byte[16 * 1024 * 1024];
    new Random(42).nextBytes(payload);
    assertThat(roundTrip(capture, payload)).isEqualTo(payload);
    await().untilAsserted(() -> assertThat(clientCounters.bToATotal()).isEqualTo(payload.length));
  }

  @Test
  void requestHeadersReachTheHandler() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    HboneTarget target =
        new HboneTarget(
            hbone,
            Authority.format((InetSocketAddress) echo.localAddress()),
            Set.of(SERVER),
            Map.of(
                "forwarded",
                "for=10.241.1.2",
                "baggage",
                "k8s.namespace.name=web",
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    Channel stream = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
    stream.close();
    HboneRequest request = requests.getFirst();
    assertThat(request.forwarded()).isEqualTo("for=10.241.1.2");
    assertThat(request.baggage()).isEqualTo("k8s.namespace.name=web");
    assertThat(request.traceparent()).startsWith("00-4bf92f35");
    assertThat(request.peerAddress()).isInstanceOf(InetSocketAddress.class);
  }

  @Test
  void deniedStreamFailsWith401() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    assertThat(
            statusOf(
                pool.connect(
                    targetFor(hbone, new InetSocketAddress("127.0.0.1", DENIED_PORT)),
                    clientCert,
                    SOCKETS)))
        .isEqualTo(401);
  }

  @Test
  void refusedUpstreamFailsWith503() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertThat(
            statusOf(
                pool.connect(
                    targetFor(hbone, new InetSocketAddress("127.0.0.1", closedPort)),
                    clientCert,
                    SOCKETS)))
        .isEqualTo(503);
  }

  @Test
  void failingHandlerAnswers503() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    HboneTarget target = targetFor(hbone, new InetSocketAddress("127.0.0.1", FAILING_HANDLER_PORT));
    assertThat(statusOf(pool.connect(target, clientCert, SOCKETS))).isEqualTo(503);
  }

  @Test
  void stalledUpstreamThrottlesAFastSender() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    Channel stalled =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(new ChannelInboundHandlerAdapter())
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    closeAfter.add(stalled);
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    ByteCounters counters = new ByteCounters();
    InetSocketAddress capture =
        captureListener(targetFor(hbone, (InetSocketAddress) stalled.localAddress()), counters);
    long offered = 256L * 1024 * 1024;
    try (Socket socket = new Socket()) {
      socket.connect(capture, 5000);
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    byte[] chunk = new byte[64 * 1024];
                    try (OutputStream out = socket.getOutputStream()) {
                      for (long sent = 0; sent < offered; sent += chunk.length) {
                        out.write(chunk);
                      }
                    } catch (Exception stoppedByClose) {
                      // the test closes the socket while the writer is blocked
                    }
                  });
      // Once the relay stops reading, the count stays put.
      long[] last = {-1};
      await()
          .atMost(Duration.ofSeconds(30))
          .during(Duration.ofMillis(500))
          .until(
              () -> {
                long now = counters.aToBTotal();
                boolean stable = now == last[0];
                last[0] = now;
                return stable && now > 0;
              });
      assertThat(counters.aToBTotal()).isLessThan(offered / 8);
      assertThat(writer.isAlive()).isTrue();
    }
  }

  @Test
  void badAuthorityFailsWith400WithoutReachingTheHandler() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    HboneTarget target =
        new HboneTarget(hbone, "reviews.default.svc:9080", Set.of(SERVER), Map.of());
    assertThat(statusOf(pool.connect(target, clientCert, SOCKETS))).isEqualTo(400);
    assertThat(requests).isEmpty();
  }

  @Test
  void serverWithTheWrongIdentityIsRefusedByTheClient() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(id("shop", "imposter")), 100);
    CompletableFuture<Channel> f =
        pool.connect(
            targetFor(hbone, (InetSocketAddress) echo.localAddress()), clientCert, SOCKETS);
    assertThat(statusOf(f)).isEqualTo(0);
    assertThat(causeOf(f)).hasStackTraceContaining("is not one of [" + SERVER.uri() + "]");
    assertThat(requests).isEmpty();
  }

  @Test
  void clientFromAnotherCaIsRefusedByTheServer() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    WorkloadCertificate foreign = new TestPki("foreign").issue(CLIENT);
    WorkloadCertificate trustsOurRoot =
        new WorkloadCertificate(CLIENT, foreign.key(), foreign.chain(), List.of(pki.root));
    CompletableFuture<Channel> f =
        pool.connect(
            targetFor(hbone, (InetSocketAddress) echo.localAddress()), trustsOurRoot, SOCKETS);
    assertThat(statusOf(f)).isEqualTo(0);
    assertThat(requests).isEmpty();
  }

  @Test
  void streamsRunOnTheEventLoopTheyAreOpenedFor() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    HboneTarget target = targetFor(hbone, (InetSocketAddress) echo.localAddress());
    List<Channel> streams = new ArrayList<>();
    for (io.netty.util.concurrent.EventExecutor e : group) {
      EventLoop loop = (EventLoop) e;
      for (int i = 0; i < 2; i++) {
        Channel stream = pool.connect(target, clientCert, SOCKETS, loop).get(5, TimeUnit.SECONDS);
        assertThat(stream.eventLoop()).isSameAs(loop);
        streams.add(stream);
      }
    }
    assertThat(streams.get(1).parent()).isSameAs(streams.get(0).parent());
    assertThat(streams.get(2).parent()).isNotSameAs(streams.get(0).parent());
    assertThat(pool.connectionCount()).isEqualTo(2);
    streams.forEach(Channel::close);
  }

  @Test
  void manyStreamsShareOneTlsConnection() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    InetSocketAddress capture =
        captureListener(
            targetFor(hbone, (InetSocketAddress) echo.localAddress()),
            new ByteCounters(),
            group.next());

    List<CompletableFuture<byte[]>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] payload = ("stream " + i).getBytes(StandardCharsets.UTF_8);
      results.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return roundTrip(capture, payload);
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              },
              VIRTUAL));
    }
    for (int i = 0; i < 20; i++) {
      assertThat(new String(results.get(i).get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8))
          .isEqualTo("stream " + i);
    }
    assertThat(pool.connectionCount()).isEqualTo(1);
    assertThat(serverConnections).hasSize(1);
    assertThat(requests).hasSize(20);
  }

  @Test
  void serverStreamLimitOpensAnotherConnection() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 2);
    HboneTarget target = targetFor(hbone, (InetSocketAddress) echo.localAddress());
    List<Channel> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      streams.add(pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS));
    }
    assertThat(pool.connectionCount()).isEqualTo(2);
    assertThat(serverConnections).hasSize(2);
    assertThat(streams.get(0).parent()).isSameAs(streams.get(1).parent());
    assertThat(streams.get(2).parent()).isNotSameAs(streams.get(0).parent());
    streams.forEach(Channel::close);
  }

  @Test
  void clientStreamLimitOpensAnotherConnection() throws Exception {
    pool =
        new HbonePool(group, new HbonePoolConfig(1, Duration.ofSeconds(60), Duration.ofSeconds(5)));
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    HboneTarget target = targetFor(hbone, (InetSocketAddress) echo.localAddress());
    Channel first = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
    Channel second = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
    assertThat(first.parent()).isNotSameAs(second.parent());
    assertThat(pool.connectionCount()).isEqualTo(2);
    first.close().sync();
    await()
        .untilAsserted(
            () -> {
              Channel third = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
              third.close();
              assertThat(third.parent()).isSameAs(first.parent());
            });
  }

  @Test
  void differentExpectedIdentitiesUseDifferentConnections() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    InetSocketAddress up = (InetSocketAddress) echo.localAddress();
    Channel a =
        pool.connect(new HboneTarget(hbone, up, Set.of(SERVER)), clientCert, SOCKETS)
            .get(5, TimeUnit.SECONDS);
    Channel b =
        pool.connect(
                new HboneTarget(hbone, up, Set.of(SERVER, id("shop", "other"))),
                clientCert,
                SOCKETS)
            .get(5, TimeUnit.SECONDS);
    assertThat(a.parent()).isNotSameAs(b.parent());
    assertThat(pool.connectionCount()).isEqualTo(2);
  }

  @Test
  void idleConnectionsExpire() throws Exception {
    pool =
        new HbonePool(
            group, new HbonePoolConfig(100, Duration.ofMillis(300), Duration.ofSeconds(5)));
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    InetSocketAddress capture =
        captureListener(
            targetFor(hbone, (InetSocketAddress) echo.localAddress()), new ByteCounters());
    assertThat(roundTrip(capture, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> pool.connectionCount() == 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> !serverConnections.getFirst().isActive());
    assertThat(roundTrip(capture, new byte[] {4})).containsExactly(4);
    assertThat(serverConnections).hasSize(2);
  }

  @Test
  void deadConnectionsAreEvicted() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    HboneTarget target = targetFor(hbone, (InetSocketAddress) echo.localAddress());
    Channel stream = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
    serverConnections.getFirst().close();
    await().until(() -> pool.connectionCount() == 0);
    assertThat(stream.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    Channel again = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
    assertThat(again.isActive()).isTrue();
    assertThat(serverConnections).hasSize(2);
  }

  @Test
  void upstreamResetResetsTheAppConnection() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    InetSocketAddress capture =
        captureListener(
            targetFor(hbone, (InetSocketAddress) resetter.localAddress()), new ByteCounters());
    try (Socket socket = new Socket()) {
      socket.connect(capture, 5000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(new byte[] {9});
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> in.read())
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
    }
  }

  @Test
  void goAwayDrainsPooledConnectionsWhileOpenStreamsContinue() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    HboneTarget target = targetFor(hbone, (InetSocketAddress) echo.localAddress());
    Channel open = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
    StringBuilder received = new StringBuilder();
    open.pipeline()
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) msg;
                synchronized (received) {
                  received.append(buf.toString(StandardCharsets.UTF_8));
                }
                buf.release();
              }
            });
    open.config().setAutoRead(true);

    server.goAway();
    await().atMost(Duration.ofSeconds(5)).until(() -> pool.connectionCount() == 0);

    open.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("still here", StandardCharsets.UTF_8));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              synchronized (received) {
                return received.toString().equals("still here");
              }
            });
    Channel fresh = pool.connect(target, clientCert, SOCKETS).get(5, TimeUnit.SECONDS);
    assertThat(fresh.parent()).isNotSameAs(open.parent());
    assertThat(serverConnections).hasSize(2);

    open.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> !open.parent().isActive());
    assertThat(server.openConnections()).isEqualTo(1);
  }

  /**
   * Like {@code iperf3 -P 8}: a long-lived control stream and bulk streams that half-close share
   * one pooled connection; every byte and every EOF arrives and the control stream keeps working.
   * Bulk streams toggle writability while their app sockets half-close, which used to make the
   * relay re-arm a finished socket from the other side's thread and abort it.
   */
  @Test
  void controlStreamSurvivesParallelBulkStreamsOnTheSameConnection() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual().start(() -> serveControlAndBulk(upstream));
      InetSocketAddress capture =
          captureListener(
              targetFor(hbone, (InetSocketAddress) upstream.getLocalSocketAddress()),
              new ByteCounters(),
              group.next());
      try (Socket control = new Socket()) {
        control.connect(capture, 5000);
        control.setSoTimeout(20_000);
        DataOutputStream controlOut = new DataOutputStream(control.getOutputStream());
        DataInputStream controlIn = new DataInputStream(control.getInputStream());
        controlOut.writeByte('C');
        controlOut.writeInt(1);
        assertThat(controlIn.readInt()).isEqualTo(2);

        int streams = 8;
        int size = 4 * 1024 * 1024;
        for (int round = 0; round < 3; round++) {
          List<CompletableFuture<Long>> bulk = new ArrayList<>();
          for (int i = 0; i < streams; i++) {
            bulk.add(CompletableFuture.supplyAsync(() -> sendBulk(capture, size), VIRTUAL));
          }
          for (int i = 2; i < 20; i++) {
            controlOut.writeInt(i);
            assertThat(controlIn.readInt()).isEqualTo(i + 1);
          }
          for (CompletableFuture<Long> f : bulk) {
            assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(size);
          }
        }
        controlOut.writeInt(100);
        assertThat(controlIn.readInt()).isEqualTo(101);
        control.shutdownOutput();
        assertThat(controlIn.read()).isEqualTo(-1);
      }
    }
    assertThat(captureErrors).isEmpty();
    assertThat(upstreamErrors).isEmpty();
    assertThat(pool.connectionCount()).isEqualTo(1);
  }

  /**
   * Like the end of {@code iperf3 -P 4}: the upstream resets bulk tunnels while their senders are
   * still writing at full speed, so DATA frames keep arriving on streams the server has reset. The
   * server must ignore them: answering each with RST_STREAM used to trip the limit on resets a
   * server sends, and the whole connection, with the control stream, was closed.
   */
  @Test
  void controlStreamSurvivesBulkStreamsResetByTheUpstreamMidTransfer() throws Exception {
    pool = new HbonePool(group, HbonePoolConfig.defaults());
    InetSocketAddress hbone = hboneServer(pki.issue(SERVER), 100);
    try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual().start(() -> serveControlAndBulk(upstream));
      InetSocketAddress capture =
          captureListener(
              targetFor(hbone, (InetSocketAddress) upstream.getLocalSocketAddress()),
              new ByteCounters(),
              group.next());
      try (Socket control = new Socket()) {
        control.connect(capture, 5000);
        control.setSoTimeout(20_000);
        DataOutputStream controlOut = new DataOutputStream(control.getOutputStream());
        DataInputStream controlIn = new DataInputStream(control.getInputStream());
        controlOut.writeByte('C');
        for (int round = 0; round < 3; round++) {
          List<CompletableFuture<Void>> bulk = new ArrayList<>();
          for (int i = 0; i < 4; i++) {
            bulk.add(CompletableFuture.runAsync(() -> sendUntilReset(capture), VIRTUAL));
          }
          for (CompletableFuture<Void> f : bulk) {
            f.get(60, TimeUnit.SECONDS);
          }
          controlOut.writeInt(round);
          assertThat(controlIn.readInt())
              .as("control answer after round %d", round)
              .isEqualTo(round + 1);
        }
        control.shutdownOutput();
        assertThat(controlIn.read()).isEqualTo(-1);
      }
    }
    assertThat(upstreamErrors).isEmpty();
    assertThat(pool.connectionCount()).isEqualTo(1);
    assertThat(serverConnections).hasSize(1);
  }

  /** Sends 'R' then writes at full speed until the tunnel is reset. */
  private static void sendUntilReset(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5000);
      OutputStream out = socket.getOutputStream();
      out.write('R');
      byte[] chunk = new byte[64 * 1024];
      new Random(1).nextBytes(chunk);
      while (true) {
        out.write(chunk);
      }
    } catch (SocketException reset) {
      // expected: the upstream reset the tunnel
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /** Sends 'B' then {@code size} bytes, half-closes, and returns the count the upstream saw. */
  private static long sendBulk(InetSocketAddress address, int size) {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write('B');
      byte[] chunk = new byte[64 * 1024];
      new Random(size).nextBytes(chunk);
      for (int sent = 0; sent < size; sent += chunk.length) {
        out.write(chunk, 0, Math.min(chunk.length, size - sent));
      }
      socket.shutdownOutput();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      long count = in.readLong();
      assertThat(in.read()).isEqualTo(-1);
      return count;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /**
   * Upstream of the control/bulk tests: a connection starting with 'C' answers each int with its
   * successor until EOF; one starting with 'B' counts bytes until EOF, then answers the count; one
   * starting with 'R' reads {@link #RESET_AFTER_BYTES} bytes at full speed, then resets.
   */
  private void serveControlAndBulk(ServerSocket listener) {
    while (!listener.isClosed()) {
      Socket accepted;
      try {
        accepted = listener.accept();
      } catch (Exception e) {
        return;
      }
      Thread.ofVirtual()
          .start(
              () -> {
                try (Socket s = accepted) {
                  DataInputStream in = new DataInputStream(s.getInputStream());
                  DataOutputStream out = new DataOutputStream(s.getOutputStream());
                  byte kind = in.readByte();
                  if (kind == 'R') {
                    byte[] buf = new byte[64 * 1024];
                    for (long seen = 0; seen < RESET_AFTER_BYTES; ) {
                      int r = in.read(buf);
                      if (r < 0) {
                        break;
                      }
                      seen += r;
                    }
                    s.setSoLinger(true, 0);
                    return;
                  }
                  if (kind == 'C') {
                    while (true) {
                      int n;
                      try {
                        n = in.readInt();
                      } catch (java.io.EOFException eof) {
                        break;
                      }
                      out.writeInt(n + 1);
                    }
                  } else {
                    long count = 0;
                    byte[] buf = new byte[64 * 1024];
                    for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                      count += r;
                    }
                    out.writeLong(count);
                  }
                  s.shutdownOutput();
                } catch (Exception e) {
                  upstreamErrors.add(e);
                }
              });
    }
  }

  /**
   * A short connection reset by its client while it waits for its tunnel: the held channel closes
   * and the read error does not travel on to handlers that do not expect it.
   */
  @Test
  void heldConnectionResetBeforeSpliceClosesQuietly() throws Exception {
    List<Throwable> passedOn = new CopyOnWriteArrayList<>();
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    Channel listener =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel c) {
                    c.pipeline()
                        .addLast(
                            Relay.holdInbound(),
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
                                passedOn.add(t);
                              }
                            });
                    accepted.complete(c);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    closeAfter.add(listener);
    try (Socket client = new Socket()) {
      client.connect(listener.localAddress(), 5000);
      client.getOutputStream().write("short".getBytes(StandardCharsets.UTF_8));
      client.setSoLinger(true, 0);
    }
    Channel held = accepted.get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !held.isOpen());
    assertThat(passedOn).isEmpty();
  }

  private static int statusOf(CompletableFuture<Channel> f) throws Exception {
    Throwable cause = causeOf(f);
    assertThat(cause).isInstanceOf(HboneException.class);
    return ((HboneException) cause).status();
  }

  private static Throwable causeOf(CompletableFuture<Channel> f) throws Exception {
    try {
      Channel ch = f.get(10, TimeUnit.SECONDS);
      ch.close();
      throw new AssertionError("expected the connect to fail");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** Echoes bytes; on EOF echoes EOF (half-close) and the channel closes once both ways ended. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class EchoThenHalfClose extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownEvent.INSTANCE) {
        // shutdownOutput() drops writes still queued (the echo may be behind under backpressure)
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
            .addListener(
                f ->
                    ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(x -> ctx.close()));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Answers every chunk upper-cased; ends its side when the client ends. */
  private static final class UpperCase extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.buffer.ByteBuf in = (io.netty.buffer.ByteBuf) msg;
      String text = in.toString(StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
      in.release();
      ctx.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownEvent.INSTANCE) {
        Relay.shutdownOutput(ctx.channel());
      }
    }
  }

  /** Resets the connection when the first byte arrives. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class ResetOnFirstByte extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
      Relay.abort(ctx.channel());
    }
  }
}
