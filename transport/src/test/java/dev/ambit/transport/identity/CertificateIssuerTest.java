package dev.ambit.transport.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateIssuerTest {

  private final CertificateIssuer issuer = new CertificateIssuer();
  private final KeyPair rootKeys = CertificateIssuer.newKeyPair();
  private final X509Certificate root =
      issuer.selfSignedRoot(rootKeys, "ambit", "root", Duration.ofDays(10));
  private final SpiffeId id = new SpiffeId("cluster.local", "shop", "cart");

  @Test
  void csrCarriesTheRequestedIdentityAndVerifies() {
    String csr = CertificateIssuer.csr(CertificateIssuer.newKeyPair(), id);
    assertThat(csr).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
    assertThat(CertificateIssuer.requestedIdentity(csr)).isEqualTo(id);
  }

  @Test
  void tamperedCsrIsRejected() throws Exception {
    String csr = CertificateIssuer.csr(CertificateIssuer.newKeyPair(), id);
    byte[] der = Pem.csr(csr).getEncoded().clone();
    der[der.length - 5] ^= 0x01; // inside the signature
    String tampered = Pem.encodeCsr(new org.bouncycastle.pkcs.PKCS10CertificationRequest(der));
    assertThatThrownBy(() -> CertificateIssuer.requestedIdentity(tampered))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signedLeafHasSpiffeSanUsagesAndValidity() throws Exception {
    KeyPair keys = CertificateIssuer.newKeyPair();
    X509Certificate leaf =
        issuer.sign(
            CertificateIssuer.csr(keys, id), id, Duration.ofHours(24), root, rootKeys.getPrivate());
    assertThat(SpiffeId.fromCertificate(leaf)).contains(id);
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(leaf.getKeyUsage()[2]).as("keyEncipherment").isTrue();
    assertThat(leaf.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(24));
    leaf.verify(root.getPublicKey());
    validate(List.of(leaf), root);
  }

  @Test
  void leafNeverOutlivesItsIssuer() {
    KeyPair keys = CertificateIssuer.newKeyPair();
    X509Certificate leaf =
        issuer.sign(
            CertificateIssuer.csr(keys, id), id, Duration.ofDays(100), root, rootKeys.getPrivate());
    assertThat(leaf.getNotAfter()).isEqualTo(root.getNotAfter());
  }

  @Test
  void intermediateChainsToTheRoot() throws Exception {
    KeyPair intermediateKeys = CertificateIssuer.newKeyPair();
    X509Certificate intermediate =
        issuer.intermediate(
            intermediateKeys.getPublic(),
            "ambit",
            "node ca",
            Duration.ofDays(1),
            root,
            rootKeys.getPrivate());
    assertThat(intermediate.getBasicConstraints()).isEqualTo(0);
    WorkloadCertificate cert =
        issuer.issue(
            id,
            Duration.ofHours(1),
            intermediate,
            intermediateKeys.getPrivate(),
            List.of(intermediate),
            List.of(root));
    assertThat(cert.chain()).hasSize(2);
    validate(cert.chain(), root);
  }

  @Test
  void pemRoundTripsCertificatesAndKeys() {
    WorkloadCertificate cert =
        issuer.issue(
            id, Duration.ofHours(1), root, rootKeys.getPrivate(), List.of(), List.of(root));
    assertThat(cert.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    WorkloadCertificate back =
        WorkloadCertificate.fromPem(cert.chainPem(), cert.keyPem(), cert.rootsPem());
    assertThat(back.id()).isEqualTo(id);
    assertThat(back.chain()).isEqualTo(cert.chain());
    assertThat(back.roots()).isEqualTo(List.of(root));
    assertThat(back.key().getEncoded()).isEqualTo(cert.key().getEncoded());
    assertThat(back.renewAt()).isBetween(cert.notBefore(), cert.notAfter());
  }

  @Test
  void workloadCertificateRejectsALeafNamingSomeoneElse() {
    WorkloadCertificate cert =
        issuer.issue(
            id, Duration.ofHours(1), root, rootKeys.getPrivate(), List.of(), List.of(root));
    SpiffeId other = new SpiffeId("cluster.local", "shop", "payments");
    assertThatThrownBy(() -> new WorkloadCertificate(other, cert.key(), cert.chain(), cert.roots()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payments");
  }

  private static void validate(List<X509Certificate> chain, X509Certificate root) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
  }
}
