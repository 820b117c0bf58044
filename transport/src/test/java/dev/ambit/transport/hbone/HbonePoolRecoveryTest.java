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
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A proxy that goes away and comes back at the same address (a restarted waypoint replica keeps its
 * pod IP): a connection that breaks before it is ready (the peer closes it during the TLS
 * handshake, or never answers the handshake) fails the connects waiting for it within the connect
 * timeout and leaves the pool, and the next connect reaches the peer that came back.
 */
class HbonePoolRecoveryTest {

  private static final TestPki pki = new TestPki("pool recovery root");
  private static final SpiffeId SERVER = id("default", "waypoint");
  private static final int ACCEPTED_PORT = 8;
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(700);

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final WorkloadCertificate clientCert = pki.issue(id("default", "curl"));
  private final HbonePool pool =
      new HbonePool(group, new HbonePoolConfig(100, Duration.ofSeconds(60), CONNECT_TIMEOUT));

  @AfterEach
  void tearDown() {
    pool.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void peerClosingDuringTheHandshakeFailsTheConnectAndThePeerBackAtTheSameAddressIsReached()
      throws Exception {
    InetSocketAddress address;
    try (ServerSocket dying = listen(0)) {
      address = (InetSocketAddress) dying.getLocalSocketAddress();
      Thread.ofVirtual().start(() -> resetEachConnection(dying));

      CompletableFuture<Channel> first = connect(address);
      assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS))
          .as("fails promptly instead of waiting for ever")
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(HboneException.class)
          .hasMessageContaining(address.toString());
      assertThat(pool.connectionCount()).as("the broken connection left the pool").isZero();
    }

    Channel listener = serveHbone(address);
    try {
      Channel stream = connect(address).get(5, TimeUnit.SECONDS);
      assertThat(stream.isActive()).as("a stream to the peer that came back").isTrue();
      Relay.abort(stream);
    } finally {
      listener.close().sync();
    }
  }

  @Test
  void peerSilentDuringTheHandshakeFailsEveryWaitingConnectWithinTheConnectTimeout()
      throws Exception {
    try (ServerSocket silent = listen(0)) { // the kernel completes TCP; TLS never answers
      InetSocketAddress address = (InetSocketAddress) silent.getLocalSocketAddress();
      CompletableFuture<Channel> first = connect(address);
      CompletableFuture<Channel> second = connect(address);

      for (CompletableFuture<Channel> waiting : List.of(first, second)) {
        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(HboneException.class)
            .hasMessageContaining("within " + CONNECT_TIMEOUT.toMillis() + " ms");
      }
      assertThat(pool.connectionCount()).isZero();
    }
  }

  private CompletableFuture<Channel> connect(InetSocketAddress proxy) {
    HboneTarget target =
        new HboneTarget(proxy, new InetSocketAddress("127.0.0.1", ACCEPTED_PORT), Set.of(SERVER));
    return pool.connect(target, clientCert, EpollSocketChannel::new);
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  /** Reads the client's first bytes (its TLS ClientHello), then resets the connection. */
  private static void resetEachConnection(ServerSocket server) {
    try {
      while (true) {
        try (Socket s = server.accept()) {
          s.getInputStream().read(new byte[512]);
          s.setSoLinger(true, 0);
        }
      }
    } catch (IOException e) {
      // closed by the test
    }
  }

  private Channel serveHbone(InetSocketAddress address) throws Exception {
    SslContext context = MeshTls.server(pki.issue(SERVER));
    HboneServer server =
        new HboneServer(
            accepted -> CompletableFuture.completedFuture(context),
            stream -> {
              if (stream.request().target().getPort() == ACCEPTED_PORT) {
                stream.accept();
              } else {
                stream.reject(503);
              }
            });
    return server
        .bind(
            group,
            group,
            () -> {
              EpollServerSocketChannel ch = new EpollServerSocketChannel();
              ch.config().setReuseAddress(true);
              return ch;
            },
            address)
        .sync()
        .channel();
  }
}
