package dev.ambit.transport.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PemTest {

  private final CertificateIssuer issuer = new CertificateIssuer();
  private final KeyPair rootKeys = CertificateIssuer.newKeyPair();
  private final X509Certificate root =
      issuer.selfSignedRoot(rootKeys, "ambit", "root", Duration.ofDays(1));
  private final WorkloadCertificate leaf =
      issuer.issue(
          new SpiffeId("cluster.local", "shop", "cart"),
          Duration.ofHours(1),
          root,
          rootKeys.getPrivate(),
          List.of(),
          List.of(root));

  @Test
  void certificatesAreReadBackInOrderIgnoringTextAroundThem() {
    String pem =
        "subject=leaf\n"
            + Pem.encode(leaf.chain().getFirst())
            + "\r\nsome comment\n"
            + Pem.encode(root);
    assertThat(Pem.certificates(pem)).containsExactly(leaf.chain().getFirst(), root);
  }

  @Test
  void aKeyAmongCertificatesIsRejectedByName() {
    String pem = Pem.encode(root) + Pem.encodePrivateKey(rootKeys.getPrivate());
    assertThatThrownBy(() -> Pem.certificates(pem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected only certificates in PEM, found PRIVATE KEY");
  }

  @Test
  void anUnterminatedBlockIsMalformed() {
    String pem = Pem.encode(root);
    String cut = pem.substring(0, pem.indexOf("-----END"));
    assertThatThrownBy(() -> Pem.certificates(cut))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed PEM");
  }

  @Test
  void pkcs8PrivateKeyIsReadBack() {
    assertThat(Pem.privateKey(Pem.encodePrivateKey(leaf.key()))).isEqualTo(leaf.key());
  }

  @Test
  void requestIsReadableAndNamesTheIdentity() {
    SpiffeId id = new SpiffeId("cluster.local", "shop", "a-rather-long-service-account-name");
    String csr = CertificateIssuer.csr(CertificateIssuer.newKeyPair(), id);
    assertThat(csr).startsWith("-----BEGIN CERTIFICATE REQUEST-----\n");
    assertThat(csr).endsWith("-----END CERTIFICATE REQUEST-----\n");
    assertThat(CertificateIssuer.requestedIdentity(csr)).isEqualTo(id);
  }
}
