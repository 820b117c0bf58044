package dev.ambit.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

  @TempDir Path home;

  private CertificateAuthority ca(CaMaterial m, Duration max) {
    return new CertificateAuthority(m, "cluster.local", max, Clock.systemUTC());
  }

  @Test
  void lifetimesThatWouldBeDueForRenewalAtOnceAreRefused() {
    CaMaterial root = CaLoader.loadOrCreateRoot(home, "cluster.local");
    assertThatThrownBy(() -> ca(root, Duration.ofSeconds(90)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least PT2M");
    assertThat(ca(root, Duration.ofMinutes(2)).root()).isNotNull();
  }

  @Test
  void leafHasSpiffeSanKeyUsageLifetimeAndChainToRoot() throws Exception {
    CaMaterial root = CaLoader.loadOrCreateRoot(home.resolve("ca"), "cluster.local");
    CertificateAuthority ca = ca(root, Duration.ofDays(7));
    KeyPair pair = CertificateIssuer.newKeyPair();
    String uri = "spiffe://cluster.local/ns/default/sa/curl";

    List<X509Certificate> chain = ca.signCsr(TestCerts.csr(pair), uri, Duration.ZERO);

    X509Certificate leaf = chain.getFirst();
    assertThat(chain).hasSize(2);
    assertThat(chain.getLast()).isEqualTo(root.root());
    assertThat(leaf.getPublicKey()).isEqualTo(pair.getPublic());
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, uri));
    assertThat(leaf.getCriticalExtensionOIDs()).contains(Extension.subjectAlternativeName.getId());
    // digitalSignature, keyEncipherment; not a CA; usable for both TLS ends
    assertThat(leaf.getKeyUsage()).startsWith(true, false, true);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    Duration lifetime =
        Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    assertThat(lifetime).isEqualTo(Duration.ofHours(24).plus(CertificateAuthority.SKEW));
    assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
    validate(chain.subList(0, 1), root.root());
  }

  @Test
  void requestedLifetimeIsCappedByConfig() {
    CertificateAuthority ca =
        ca(CaLoader.loadOrCreateRoot(home, "cluster.local"), Duration.ofHours(2));
    X509Certificate leaf =
        ca.signCsr(
                TestCerts.csr(CertificateIssuer.newKeyPair()),
                "spiffe://cluster.local/ns/a/sa/b",
                Duration.ofDays(3))
            .getFirst();
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(2).plus(CertificateAuthority.SKEW));
  }

  @Test
  void csrWithBrokenSignatureIsRefused() {
    CertificateAuthority ca =
        ca(CaLoader.loadOrCreateRoot(home, "cluster.local"), Duration.ofDays(1));
    assertThatThrownBy(
            () ->
                ca.signCsr(
                    "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
                    "spiffe://cluster.local/ns/a/sa/b",
                    Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void restartKeepsTheRootAndKeyIsPrivate() throws Exception {
    Path dir = home.resolve("ca");
    CaMaterial first = CaLoader.loadOrCreateRoot(dir, "cluster.local");
    X509Certificate issued =
        ca(first, Duration.ofDays(1))
            .signCsr(
                TestCerts.csr(CertificateIssuer.newKeyPair()),
                "spiffe://cluster.local/ns/a/sa/b",
                Duration.ZERO)
            .getFirst();

    CaMaterial second = CaLoader.loadOrCreateRoot(dir, "cluster.local");

    assertThat(second.root()).isEqualTo(first.root());
    issued.verify(second.root().getPublicKey());
    assertThat(Files.getPosixFilePermissions(dir.resolve("root-key.pem")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(second.root().getBasicConstraints()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void pluginCaSignsAsIntermediateUnderTheOrganisationRoot() throws Exception {
    KeyPair orgKey = CertificateIssuer.newKeyPair();
    X509Certificate orgRoot = CaLoader.selfSignedRoot(orgKey, "example.org");
    KeyPair interKey = CertificateIssuer.newKeyPair();
    X509Certificate inter = intermediate(interKey, orgRoot, orgKey);
    Path plugin = home.resolve("cacerts");
    Files.createDirectories(plugin);
    Files.writeString(plugin.resolve("ca-cert.pem"), Pem.encode(inter));
    Files.writeString(plugin.resolve("ca-key.pem"), Pem.encodePrivateKey(interKey.getPrivate()));
    Files.writeString(plugin.resolve("root-cert.pem"), Pem.encode(orgRoot));
    Files.writeString(
        plugin.resolve("cert-chain.pem"), Pem.encodeCertificates(List.of(inter, orgRoot)));

    CaMaterial material = CaLoader.loadPlugin(plugin);
    List<X509Certificate> chain =
        ca(material, Duration.ofDays(1))
            .signCsr(
                TestCerts.csr(CertificateIssuer.newKeyPair()),
                "spiffe://cluster.local/ns/a/sa/b",
                Duration.ZERO);

    assertThat(chain).containsExactly(chain.getFirst(), inter, orgRoot);
    assertThat(material.root()).isEqualTo(orgRoot);
    validate(chain.subList(0, 2), orgRoot);
  }

  @Test
  void pluginCaWithMismatchedKeyIsRejected() throws Exception {
    KeyPair orgKey = CertificateIssuer.newKeyPair();
    X509Certificate orgRoot = CaLoader.selfSignedRoot(orgKey, "example.org");
    X509Certificate inter = intermediate(CertificateIssuer.newKeyPair(), orgRoot, orgKey);
    Path plugin = home.resolve("cacerts");
    Files.createDirectories(plugin);
    Files.writeString(plugin.resolve("ca-cert.pem"), Pem.encode(inter));
    Files.writeString(
        plugin.resolve("ca-key.pem"),
        Pem.encodePrivateKey(CertificateIssuer.newKeyPair().getPrivate()));
    Files.writeString(plugin.resolve("root-cert.pem"), Pem.encode(orgRoot));

    assertThatThrownBy(() -> CaLoader.loadPlugin(plugin))
        .hasMessageContaining("ca-key.pem does not match its certificate");
  }

  private static X509Certificate intermediate(
      KeyPair pair, X509Certificate issuer, KeyPair issuerKey) throws Exception {
    long now = System.currentTimeMillis();
    var b =
        new JcaX509v3CertificateBuilder(
                X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(now),
                new Date(now - 60_000),
                new Date(now + 86_400_000L * 30),
                new X500Name("O=example.org,CN=mesh intermediate"),
                pair.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
  }

  private static void validate(List<X509Certificate> path, X509Certificate anchor)
      throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }
}
