package dev.ambit.waypoint.testing;

import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/** A throwaway mesh CA issuing workload certificates for tests. */
public final class Pki {

  private final CertificateIssuer issuer = new CertificateIssuer();
  private final KeyPair rootKeys = CertificateIssuer.newKeyPair();
  private final X509Certificate root =
      issuer.selfSignedRoot(rootKeys, "ambit-test", "root", Duration.ofDays(1));

  public WorkloadCertificate issue(String spiffeId) {
    return issuer.issue(
        SpiffeId.parse(spiffeId),
        Duration.ofHours(1),
        root,
        rootKeys.getPrivate(),
        List.of(),
        List.of(root));
  }
}
