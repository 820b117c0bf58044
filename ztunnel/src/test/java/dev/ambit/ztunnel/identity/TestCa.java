package dev.ambit.ztunnel.identity;

import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-process mesh CA for tests: a real root key, real signatures. */
public final class TestCa implements CertificateSource {

  public final CertificateIssuer issuer = new CertificateIssuer();
  public final KeyPair rootKeys = CertificateIssuer.newKeyPair();
  public final X509Certificate root;
  public final AtomicInteger issued = new AtomicInteger();
  private volatile Duration lifetime = Duration.ofHours(1);

  public TestCa(String name) {
    root = issuer.selfSignedRoot(rootKeys, "ambit-test", name, Duration.ofDays(1));
  }

  /** Makes later certificates valid from one second ago for {@code lifetime}. */
  public void lifetime(Duration lifetime) {
    this.lifetime = lifetime;
  }

  @Override
  public WorkloadCertificate fetch(SpiffeId id) {
    issued.incrementAndGet();
    KeyPair keys = CertificateIssuer.newKeyPair();
    Instant from = Instant.now().minusSeconds(1);
    X509Certificate leaf =
        issuer.sign(
            CertificateIssuer.csr(keys, id),
            id,
            from,
            from.plus(lifetime),
            root,
            rootKeys.getPrivate());
    return new WorkloadCertificate(id, keys.getPrivate(), List.of(leaf), List.of(root));
  }
}
