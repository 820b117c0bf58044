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
 * instead of waiting for TCP, and the next stream goes over a new connection.
 */
class HboneSilentPeerTest {

  private static final TestPki pki = new TestPki("silent peer root");
  private static final SpiffeId SERVER = id("shop", "cart");
  private static final int SILENT_PORT = 7;

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
}
