package dev.ambit.transport.tls;

import static dev.ambit.transport.testing.TestPki.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.testing.TestPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class MeshTlsTest {

  private static final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
  private static final TestPki pki = new TestPki("mesh root");
  private static final SpiffeId SERVER = id("shop", "cart");
  private static final SpiffeId CLIENT = id("web", "frontend");

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** Both ends' view of one handshake. */
  private record Outcome(
      Throwable client,
      Throwable server,
      SpiffeId clientSawServer,
      SpiffeId serverSawClient,
      String alpn) {}

  private static Outcome handshake(SslContext serverContext, SslContext clientContext)
      throws Exception {
    CompletableFuture<SslHandler> serverSide = new CompletableFuture<>();
    CompletableFuture<SslHandler> clientSide = new CompletableFuture<>();
    Channel listener =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    SslHandler tls = serverContext.newHandler(ch.alloc());
                    ch.pipeline().addLast(tls, new QuietErrors());
                    serverSide.complete(tls);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    try {
      Channel client =
          new Bootstrap()
              .group(group)
              .channel(EpollSocketChannel.class)
              .handler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      SslHandler tls = clientContext.newHandler(ch.alloc());
                      ch.pipeline().addLast(tls, new QuietErrors());
                      clientSide.complete(tls);
                    }
                  })
              .connect(listener.localAddress())
              .sync()
              .channel();
      SslHandler clientTls = clientSide.get(5, TimeUnit.SECONDS);
      SslHandler serverTls = serverSide.get(5, TimeUnit.SECONDS);
      clientTls.handshakeFuture().await(5, TimeUnit.SECONDS);
      serverTls.handshakeFuture().await(5, TimeUnit.SECONDS);
      Outcome outcome =
          new Outcome(
              clientTls.handshakeFuture().cause(),
              serverTls.handshakeFuture().cause(),
              clientTls.handshakeFuture().isSuccess()
                  ? MeshTls.peerIdentity(client).orElse(null)
                  : null,
              serverTls.handshakeFuture().isSuccess()
                  ? MeshTls.peerIdentity(serverTls.handshakeFuture().getNow()).orElse(null)
                  : null,
              clientTls.applicationProtocol());
      client.close().sync();
      return outcome;
    } finally {
      listener.close().sync();
    }
  }

  /** Handshake failures are expected here; keep them out of the log. */
  private static final class QuietErrors extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Test
  void mutualHandshakeSucceedsAndExposesBothIdentities() throws Exception {
    Outcome o =
        handshake(
            MeshTls.server(pki.issue(SERVER)), MeshTls.client(pki.issue(CLIENT), Set.of(SERVER)));
    assertThat(o.client()).isNull();
    assertThat(o.server()).isNull();
    assertThat(o.clientSawServer()).isEqualTo(SERVER);
    assertThat(o.serverSawClient()).isEqualTo(CLIENT);
    assertThat(o.alpn()).isEqualTo("h2");
  }

  @Test
  void clientRefusesAServerWithTheWrongIdentity() throws Exception {
    Outcome o =
        handshake(
            MeshTls.server(pki.issue(SERVER)),
            MeshTls.client(pki.issue(CLIENT), Set.of(id("shop", "payments"))));
    assertThat(o.client()).isNotNull().hasStackTraceContaining("is not one of");
    assertThat(o.clientSawServer()).isNull();
  }

  @Test
  void clientWithNoExpectedIdentityRefusesEveryServer() throws Exception {
    Outcome o =
        handshake(MeshTls.server(pki.issue(SERVER)), MeshTls.client(pki.issue(CLIENT), Set.of()));
    assertThat(o.client()).isNotNull();
  }

  @Test
  void serverRefusesASelfSignedClientWithAValidLookingSan() throws Exception {
    Outcome o =
        handshake(
            MeshTls.server(pki.issue(SERVER)),
            MeshTls.client(pki.selfSigned(CLIENT), Set.of(SERVER)));
    assertThat(o.server()).isNotNull().hasStackTraceContaining("not trusted");
    assertThat(o.serverSawClient()).isNull();
  }

  @Test
  void clientRefusesASelfSignedServer() throws Exception {
    Outcome o =
        handshake(
            MeshTls.server(pki.selfSigned(SERVER)),
            MeshTls.client(pki.issue(CLIENT), Set.of(SERVER)));
    assertThat(o.client()).isNotNull().hasStackTraceContaining("not trusted");
  }

  @Test
  void serverRefusesAClientFromAnotherCa() throws Exception {
    TestPki other = new TestPki("other root");
    WorkloadCertificate foreign = other.issue(CLIENT);
    WorkloadCertificate trustsUs =
        new WorkloadCertificate(
            foreign.id(), foreign.key(), foreign.chain(), java.util.List.of(pki.root));
    Outcome o =
        handshake(MeshTls.server(pki.issue(SERVER)), MeshTls.client(trustsUs, Set.of(SERVER)));
    assertThat(o.server()).isNotNull().hasStackTraceContaining("not trusted");
  }

  @Test
  void serverRefusesAnExpiredClientCertificate() throws Exception {
    Outcome o =
        handshake(
            MeshTls.server(pki.issue(SERVER)), MeshTls.client(pki.expired(CLIENT), Set.of(SERVER)));
    assertThat(o.server()).isNotNull().hasStackTraceContaining("expired");
  }

  @Test
  void clientRefusesAnExpiredServerCertificate() throws Exception {
    Outcome o =
        handshake(
            MeshTls.server(pki.expired(SERVER)), MeshTls.client(pki.issue(CLIENT), Set.of(SERVER)));
    assertThat(o.client()).isNotNull().hasStackTraceContaining("expired");
  }

  @Test
  void serverRefusesAClientOfAnotherTrustDomain() throws Exception {
    SpiffeId foreignDomain = new SpiffeId("other.domain", "web", "frontend");
    Outcome o =
        handshake(
            MeshTls.server(pki.issue(SERVER)),
            MeshTls.client(pki.issue(foreignDomain), Set.of(SERVER)));
    assertThat(o.server()).isNotNull().hasStackTraceContaining("trust domain cluster.local");
  }

  @Test
  void chainsThroughAnIntermediateAreAccepted() throws Exception {
    var keys = dev.ambit.transport.identity.CertificateIssuer.newKeyPair();
    var intermediate =
        pki.issuer.intermediate(
            keys.getPublic(),
            "ambit-test",
            "node ca",
            Duration.ofHours(2),
            pki.root,
            pki.rootKeys.getPrivate());
    WorkloadCertificate server =
        pki.issuer.issue(
            SERVER,
            Duration.ofHours(1),
            intermediate,
            keys.getPrivate(),
            java.util.List.of(intermediate),
            java.util.List.of(pki.root));
    Outcome o =
        handshake(MeshTls.server(server), MeshTls.client(pki.issue(CLIENT), Set.of(SERVER)));
    assertThat(o.client()).isNull();
    assertThat(o.clientSawServer()).isEqualTo(SERVER);
  }

  @Test
  void clientChainThroughAnIntermediateIsAccepted() throws Exception {
    var keys = dev.ambit.transport.identity.CertificateIssuer.newKeyPair();
    var intermediate =
        pki.issuer.intermediate(
            keys.getPublic(),
            "ambit-test",
            "node ca",
            Duration.ofHours(2),
            pki.root,
            pki.rootKeys.getPrivate());
    WorkloadCertificate client =
        pki.issuer.issue(
            CLIENT,
            Duration.ofHours(1),
            intermediate,
            keys.getPrivate(),
            java.util.List.of(intermediate),
            java.util.List.of(pki.root));
    Outcome o =
        handshake(MeshTls.server(pki.issue(SERVER)), MeshTls.client(client, Set.of(SERVER)));
    assertThat(o.server()).isNull();
    assertThat(o.serverSawClient()).isEqualTo(CLIENT);
  }

  @Test
  void aChainThatIncludesTheRootIsAccepted() throws Exception {
    WorkloadCertificate plain = pki.issue(SERVER);
    WorkloadCertificate withRoot =
        new WorkloadCertificate(
            SERVER, plain.key(), java.util.List.of(plain.leaf(), pki.root), plain.roots());
    Outcome o =
        handshake(MeshTls.server(withRoot), MeshTls.client(pki.issue(CLIENT), Set.of(SERVER)));
    assertThat(o.client()).isNull();
    assertThat(o.clientSawServer()).isEqualTo(SERVER);
  }

  @Test
  void contextCacheBuildsOncePerCertificateAndFollowsRotation() {
    TlsContexts contexts = new TlsContexts();
    WorkloadCertificate first = pki.issue(CLIENT);
    SslContext a = contexts.client(first, Set.of(SERVER));
    assertThat(contexts.client(first, Set.of(SERVER))).isSameAs(a);
    WorkloadCertificate rotated = pki.issue(CLIENT);
    assertThat(contexts.client(rotated, Set.of(SERVER))).isNotSameAs(a);
    assertThat(contexts.server(first)).isSameAs(contexts.server(first));
  }
}
