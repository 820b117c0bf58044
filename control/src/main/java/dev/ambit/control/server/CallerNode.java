package dev.ambit.control.server;

import dev.ambit.control.ca.Identities;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates callers of the xDS/CA port: the TLS client certificate (verified against the mesh
 * root by the TLS layer) must be a node credential ({@code spiffe://<td>/ambit/node/<name>}); the
 * node name is then available to services through {@link #current()}. When a {@link
 * TokenAuthenticator} is configured, a caller without a node credential may instead present {@code
 * authorization: Bearer <token>}; the authenticator names its node, and possibly the one workload
 * identity it is limited to ({@link #onlyIdentity()}).
 */
public final class CallerNode implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(CallerNode.class);
  private static final Context.Key<TokenAuthenticator.Caller> KEY =
      Context.key("ambit-caller-node");

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final String trustDomain;
  private final TokenAuthenticator tokens;

  public CallerNode(String trustDomain) {
    this(trustDomain, null);
  }

  /** {@code tokens} may be null: then only node credentials are accepted. */
  public CallerNode(String trustDomain, TokenAuthenticator tokens) {
    this.trustDomain = trustDomain;
    this.tokens = tokens;
  }

  /** The authenticated node of the current call. */
  public static String current() {
    return caller().node();
  }

  /**
   * The identity the current caller is limited to, when it authenticated as a single workload (e.g.
   * a waypoint's token) rather than for its node.
   */
  public static Optional<Identities.Workload> onlyIdentity() {
    return Optional.ofNullable(caller().onlyIdentity());
  }

  private static TokenAuthenticator.Caller caller() {
    TokenAuthenticator.Caller caller = KEY.get();
    if (caller == null) {
      throw Status.UNAUTHENTICATED.withDescription("no node credential").asRuntimeException();
    }
    return caller;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Optional<TokenAuthenticator.Caller> node =
        session == null ? Optional.empty() : nodeOf(session).map(TokenAuthenticator.Caller::node);
    String authorization = headers.get(AUTHORIZATION);
    if (node.isEmpty() && tokens != null && authorization != null) {
      if (!authorization.startsWith(BEARER)) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription("authorization must be Bearer"));
      }
      try {
        node = Optional.of(tokens.authenticate(authorization.substring(BEARER.length()).trim()));
      } catch (StatusRuntimeException e) {
        return refuse(call, e.getStatus());
      }
    }
    if (node.isEmpty()) {
      log.warn(
          "refused {} from {}: the client certificate is not a node credential of trust domain {}",
          call.getMethodDescriptor().getFullMethodName(),
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
          trustDomain);
      call.close(
          Status.UNAUTHENTICATED.withDescription(
              "a node credential of trust domain " + trustDomain + " is required"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(KEY, node.get()), call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    log.warn(
        "refused {} from {}: {}",
        call.getMethodDescriptor().getFullMethodName(),
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
        status.getDescription());
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private Optional<String> nodeOf(SSLSession session) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      return uriSans(leaf).stream()
          .map(uri -> Identities.parseNode(uri, trustDomain))
          .flatMap(Optional::stream)
          .findFirst();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  static List<String> uriSans(X509Certificate cert) {
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return List.of();
      }
      return sans.stream()
          .filter(l -> (Integer) l.get(0) == 6)
          .map(l -> (String) l.get(1))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }
}
