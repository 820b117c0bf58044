package dev.ambit.transport.hbone;

import static dev.ambit.transport.testing.TestPki.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.testing.TestPki;
import dev.ambit.transport.tls.MeshTls;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that accepts the TLS connection but never answers a CONNECT (what a cut link or a hung
 * proxy looks like from the client): the stream fails with a clear error after the pool's timeout
 * instead of waiting for TCP, and the next stream goes over a new connection. A path that goes
 * silent under an open stream (every byte dropped, as on a cut link) closes the connection and its
 * streams once a PING goes unanswered; a quiet but healthy connection stays open.
 */
class HboneSilentPeerTest {

  private static final TestPki pki = new TestPki("silent peer root");
  private static final SpiffeId SERVER = id("shop", "cart");
  private static final int SILENT_PORT = 7;
  private static final int ACCEPTED_PORT = 8;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final List<Channel> serverConnections = new CopyOnWriteArrayList<>();
  private final List<HboneStream> parked = new CopyOnWriteArrayList<>();
  private final WorkloadCertificate clientCert = pki.issue(id("web", "frontend"));
  private HbonePool pool;
  private InetSocketAddress hbone;

  @BeforeEach
  void setUp() throws Exception {
    SslContext context = MeshTls.server(pki.issue(SERVER));
    HboneServer server =
        new HboneServer(
            accepted -> {
              serverConnections.add(accepted);
              return CompletableFuture.completedFuture(context);
            },
            stream -> {
              if (stream.request().target().getPort() == SILENT_PORT) {
                parked.add(stream); // never answered
              } else if (stream.request().target().getPort() == ACCEPTED_PORT) {
                stream.accept();
              } else {
                stream.reject(503);
              }
            });
    Channel listener =
        server
            .bind(
                group, group, EpollServerSocketChannel::new, new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    hbone = (InetSocketAddress) listener.localAddress();
    pool =
        new HbonePool(
            group, new HbonePoolConfig(100, Duration.ofSeconds(60), Duration.ofMillis(700)));
  }

  @AfterEach
  void tearDown() {
    pool.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void unansweredConnectFailsWithAClearErrorAndRetiresTheConnection() throws Exception {
    HboneTarget silent =
        new HboneTarget(hbone, new InetSocketAddress("127.0.0.1", SILENT_PORT), Set.of(SERVER));
    CompletableFuture<Channel> first = pool.connect(silent, clientCert, EpollSocketChannel::new);

    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(HboneException.class)
        .hasMessageContaining("no response within 700 ms");
    assertThat(parked).hasSize(1);

    HboneTarget answered =
        new HboneTarget(hbone, new InetSocketAddress("127.0.0.1", 9), Set.of(SERVER));
    assertThatThrownBy(
            () ->
                pool.connect(answered, clientCert, EpollSocketChannel::new)
                    .get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(HboneException.class)
        .hasMessageContaining("503");
    assertThat(serverConnections).as("a new connection after the silent one").hasSize(2);
  }

  @Test
  void blackHoledConnectionIsClosedWhenItsPingGoesUnanswered() throws Exception {
    try (BlackHole hole = new BlackHole(hbone)) {
      HboneTarget target =
          new HboneTarget(
              hole.address(), new InetSocketAddress("127.0.0.1", ACCEPTED_PORT), Set.of(SERVER));
      Channel stream =
          pool.connect(target, clientCert, EpollSocketChannel::new).get(10, TimeUnit.SECONDS);
      // Quiet but healthy: PINGs are answered, the tunnel stays open.
      org.awaitility.Awaitility.await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(stream::isActive);

      hole.swallow();
      assertThat(stream.closeFuture().await(10, TimeUnit.SECONDS))
          .as("the stream fails once the PING goes unanswered")
          .isTrue();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> pool.connectionCount() == 0);
    }
  }

  /** A TCP relay that can start dropping every byte in both directions without closing. */
  private static final class BlackHole implements AutoCloseable {
    private final java.net.ServerSocket server =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    private final List<java.net.Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean swallowing;

    BlackHole(InetSocketAddress to) throws java.io.IOException {
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  java.net.Socket in = server.accept();
                  java.net.Socket out = new java.net.Socket(to.getAddress(), to.getPort());
                  sockets.add(in);
                  sockets.add(out);
                  Thread.ofVirtual().start(() -> pump(in, out));
                  pump(out, in);
                } catch (java.io.IOException e) {
                  // closed by the test
                }
              });
    }

    InetSocketAddress address() {
      return new InetSocketAddress(
          java.net.InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    void swallow() {
      swallowing = true;
    }

    private void pump(java.net.Socket from, java.net.Socket to) {
      byte[] buffer = new byte[16384];
      try {
        int n;
        while ((n = from.getInputStream().read(buffer)) >= 0) {
          if (!swallowing) {
            to.getOutputStream().write(buffer, 0, n);
          }
        }
      } catch (java.io.IOException e) {
        // closed
      }
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
      for (java.net.Socket s : sockets) {
        s.close();
      }
    }
  }
}
