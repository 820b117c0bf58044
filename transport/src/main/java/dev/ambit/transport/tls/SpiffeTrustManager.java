package dev.ambit.transport.tls;

import dev.ambit.transport.identity.SpiffeId;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a peer's chain against the mesh trust roots (PKIX, no revocation, the clock's "now"),
 * requires the leaf to carry the right extended key usage, and requires the single SPIFFE id in its
 * URI SAN to satisfy a predicate. Anything else fails the handshake (fail closed).
 */
final class SpiffeTrustManager extends X509ExtendedTrustManager {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final Set<TrustAnchor> anchors;
  private final Set<X509Certificate> roots;
  private final Predicate<SpiffeId> acceptable;
  private final String expectation;
  private final Clock clock;

  SpiffeTrustManager(
      List<X509Certificate> roots,
      Predicate<SpiffeId> acceptable,
      String expectation,
      Clock clock) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one trust root is required");
    }
    Set<TrustAnchor> set = new HashSet<>();
    for (X509Certificate root : roots) {
      set.add(new TrustAnchor(root, null));
    }
    this.anchors = Set.copyOf(set);
    this.roots = Set.copyOf(roots);
    this.acceptable = acceptable;
    this.expectation = expectation;
    this.clock = clock;
  }

  /** Validates a chain (leaf first) and returns the identity it proves. */
  SpiffeId verify(X509Certificate[] chain, String purpose) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX")
          .validate(factory.generateCertPath(withoutTrustedRoots(chain)), params);
    } catch (CertPathValidatorException e) {
      String message = "peer certificate chain is not trusted: " + reason(e);
      if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
        // tells the peer "unknown CA" instead of the "internal error" of an unspecified failure
        OpenSslCertificateException unknownCa =
            new OpenSslCertificateException(
                message, CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
        unknownCa.initCause(e);
        throw unknownCa;
      }
      throw new CertificateException(message, e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("peer certificate chain is not trusted: " + reason(e), e);
    }
    X509Certificate leaf = chain[0];
    List<String> usages = leaf.getExtendedKeyUsage();
    if (usages != null && !usages.contains(purpose)) {
      throw new CertificateException("peer certificate lacks extended key usage " + purpose);
    }
    SpiffeId id =
        SpiffeId.fromCertificate(leaf)
            .orElseThrow(
                () -> new CertificateException("peer certificate names no single SPIFFE id"));
    if (!acceptable.test(id)) {
      throw new CertificateException("peer identity " + id + " is not " + expectation);
    }
    return id;
  }

  /** The chain without trailing copies of our roots (some peers send their root too). */
  private List<X509Certificate> withoutTrustedRoots(X509Certificate[] chain) {
    int end = chain.length;
    while (end > 1 && roots.contains(chain[end - 1])) {
      end--;
    }
    return Arrays.asList(chain).subList(0, end);
  }

  private static String reason(GeneralSecurityException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateExpiredException) {
        return "certificate expired (" + t.getMessage() + ")";
      }
      if (t instanceof java.security.cert.CertificateNotYetValidException) {
        return "certificate not yet valid (" + t.getMessage() + ")";
      }
    }
    return e.getMessage();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, CLIENT_AUTH);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain, SERVER_AUTH);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, CLIENT_AUTH);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, SERVER_AUTH);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, CLIENT_AUTH);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, SERVER_AUTH);
  }

  /**
   * Empty on purpose: a server then sends no certificate_authorities list, so clients present their
   * certificate whatever its issuer (intermediates included) and verification happens here.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
