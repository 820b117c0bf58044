package dev.ambit.transport.testing;

import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A throwaway mesh CA for tests. */
public final class TestPki {

  public final CertificateIssuer issuer = new CertificateIssuer();
  public final KeyPair rootKeys = CertificateIssuer.newKeyPair();
  public final X509Certificate root;

  public TestPki(String name) {
    root = issuer.selfSignedRoot(rootKeys, "ambit-test", name, Duration.ofDays(1));
  }

  public static SpiffeId id(String ns, String sa) {
    return new SpiffeId("cluster.local", ns, sa);
  }

  public WorkloadCertificate issue(SpiffeId id) {
    return issuer.issue(
        id, Duration.ofHours(1), root, rootKeys.getPrivate(), List.of(), List.of(root));
  }

  /** A certificate whose validity ended an hour ago. */
  public WorkloadCertificate expired(SpiffeId id) {
    KeyPair keys = CertificateIssuer.newKeyPair();
    Instant now = Instant.now();
    X509Certificate leaf =
        issuer.sign(
            CertificateIssuer.csr(keys, id),
            id,
            now.minus(Duration.ofHours(3)),
            now.minus(Duration.ofHours(1)),
            root,
            rootKeys.getPrivate());
    return new WorkloadCertificate(id, keys.getPrivate(), List.of(leaf), List.of(root));
  }

  /** A certificate signing itself, with a valid-looking SPIFFE SAN, that trusts this CA's root. */
  public WorkloadCertificate selfSigned(SpiffeId id) {
    KeyPair keys = CertificateIssuer.newKeyPair();
    X509Certificate fakeIssuer =
        issuer.selfSignedRoot(keys, "ambit-test", "imposter", Duration.ofDays(1));
    X509Certificate leaf =
        issuer.sign(
            CertificateIssuer.csr(keys, id),
            id,
            Duration.ofHours(1),
            fakeIssuer,
            keys.getPrivate());
    return new WorkloadCertificate(id, keys.getPrivate(), List.of(leaf), List.of(root));
  }
}
