package dev.ambit.waypoint.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaypointCertificatesTest {

  final CertificateIssuer issuer = new CertificateIssuer();
  final KeyPair rootKeys = CertificateIssuer.newKeyPair();
  final X509Certificate root = issuer.selfSignedRoot(rootKeys, "t", "root", Duration.ofDays(1));
  final SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/waypoint");
  final AtomicInteger calls = new AtomicInteger();

  WaypointCertificates.Signer ca(int failFirst) {
    return (csr, identity, validity) -> {
      if (calls.incrementAndGet() <= failFirst) {
        throw new IllegalStateException("CA unavailable");
      }
      X509Certificate leaf =
          issuer.sign(csr, SpiffeId.parse(identity), validity, root, rootKeys.getPrivate());
      return List.of(Pem.encode(leaf), Pem.encode(root));
    };
  }

  @Test
  void fetchesTheWaypointIdentityAndRenewsAtHalfLife() throws Exception {
    // The issuer backdates notBefore by a minute: 128 s of validity put the half-life 4 s ahead
    // (a shorter one is due at once, and the first certificate is replaced before it is looked at).
    try (WaypointCertificates certs =
        new WaypointCertificates(
            id, ca(0), List.of(root), Duration.ofSeconds(128), Clock.systemUTC())) {
      WorkloadCertificate first = certs.start().get(10, TimeUnit.SECONDS);
      assertThat(first.id()).isEqualTo(id);
      assertThat(first.chain()).hasSize(1).doesNotContain(root);
      assertThat(certs.current()).isSameAs(first);
      await().atMost(Duration.ofSeconds(30)).until(() -> certs.current() != first);
      assertThat(certs.current().leaf().getSerialNumber())
          .isNotEqualTo(first.leaf().getSerialNumber());
    }
  }

  @Test
  void retriesUntilTheCaAnswers() throws Exception {
    try (WaypointCertificates certs =
        new WaypointCertificates(
            id, ca(2), List.of(root), Duration.ofHours(1), Clock.systemUTC())) {
      assertThat(certs.start().get(15, TimeUnit.SECONDS).id()).isEqualTo(id);
      assertThat(calls.get()).isEqualTo(3);
    }
  }
}
