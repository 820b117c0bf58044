package dev.ambit.transport.tls;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Netty {@link SslContext}s for mesh mutual TLS: BoringSSL ({@link SslProvider#OPENSSL}), TLS 1.3
 * only, ALPN {@code h2}, no hostname verification (SPIFFE identities instead).
 *
 * <ul>
 *   <li>{@link #server}: presents the workload certificate, requires a client certificate chaining
 *       to the roots whose SPIFFE id is in the server's trust domain.
 *   <li>{@link #client}: presents the workload certificate, requires the server's chain to reach
 *       the roots and its SPIFFE id to be one of the expected identities (an empty set refuses
 *       every server).
 * </ul>
 *
 * <p>Contexts are immutable: for certificate rotation build new ones (see {@link TlsContexts} for a
 * cache); connections in progress keep the context they started with. Use {@code
 * context.newHandler(alloc)} without host/port so no SNI is sent.
 */
public final class MeshTls {

  /** The TLS protocol version used everywhere. */
  public static final String PROTOCOL = "TLSv1.3";

  private static final ApplicationProtocolConfig ALPN_H2 =
      new ApplicationProtocolConfig(
          ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          ApplicationProtocolNames.HTTP_2);

  private MeshTls() {}

  /** A server context accepting clients of {@code cert}'s own trust domain. */
  public static SslContext server(WorkloadCertificate cert) {
    return server(cert, Clock.systemUTC());
  }

  /** Like {@link #server(WorkloadCertificate)}, checking validity against {@code clock}. */
  public static SslContext server(WorkloadCertificate cert, Clock clock) {
    String trustDomain = cert.id().trustDomain();
    SpiffeTrustManager trust =
        new SpiffeTrustManager(
            cert.roots(),
            id -> id.trustDomain().equals(trustDomain),
            "in trust domain " + trustDomain,
            clock);
    try {
      return SslContextBuilder.forServer(cert.key(), cert.chain())
          .sslProvider(SslProvider.OPENSSL)
          .protocols(PROTOCOL)
          .clientAuth(ClientAuth.REQUIRE)
          .trustManager(trust)
          .applicationProtocolConfig(ALPN_H2)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a server TLS context for " + cert.id(), e);
    }
  }

  /** A client context that accepts only servers proving one of {@code expected}. */
  public static SslContext client(WorkloadCertificate cert, Set<SpiffeId> expected) {
    return client(cert, expected, Clock.systemUTC());
  }

  /** Like {@link #client(WorkloadCertificate, Set)}, checking validity against {@code clock}. */
  public static SslContext client(WorkloadCertificate cert, Set<SpiffeId> expected, Clock clock) {
    Set<SpiffeId> allowed = Set.copyOf(expected);
    SpiffeTrustManager trust =
        new SpiffeTrustManager(cert.roots(), allowed::contains, "one of " + allowed, clock);
    try {
      return SslContextBuilder.forClient()
          .sslProvider(SslProvider.OPENSSL)
          .protocols(PROTOCOL)
          .keyManager(cert.key(), cert.chain())
          .trustManager(trust)
          .endpointIdentificationAlgorithm(null)
          .applicationProtocolConfig(ALPN_H2)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a client TLS context for " + cert.id(), e);
    }
  }

  /**
   * The peer's SPIFFE id on a channel whose handshake completed, looking at the channel's own
   * {@link SslHandler} or, for an HTTP/2 stream channel, its parent's. Empty when there is no
   * completed handshake or the peer certificate names no single SPIFFE id. The chain was already
   * verified during the handshake by the context's trust manager.
   */
  public static Optional<SpiffeId> peerIdentity(Channel channel) {
    Channel c =
        channel instanceof Http2StreamChannel && channel.parent() != null
            ? channel.parent()
            : channel;
    SslHandler ssl = c.pipeline().get(SslHandler.class);
    if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
      return Optional.empty();
    }
    try {
      Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
      return peer.length > 0 && peer[0] instanceof X509Certificate leaf
          ? SpiffeId.fromCertificate(leaf)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }
}
