package dev.ambit.transport.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A workload's credentials: its identity, private key, certificate chain (leaf first, then any
 * intermediates; never the root) and the trust roots used to verify peers.
 *
 * <p>The canonical constructor checks that the leaf names exactly {@code id} in its URI SAN and
 * that there is at least one root. Instances are immutable; rotation means building a new one.
 */
public record WorkloadCertificate(
    SpiffeId id, PrivateKey key, List<X509Certificate> chain, List<X509Certificate> roots) {

  public WorkloadCertificate {
    if (id == null || key == null || chain == null || roots == null) {
      throw new IllegalArgumentException("id, key, chain and roots are required");
    }
    chain = List.copyOf(chain);
    roots = List.copyOf(roots);
    if (chain.isEmpty() || roots.isEmpty()) {
      throw new IllegalArgumentException(
          "a workload certificate needs a leaf and at least one root");
    }
    SpiffeId named = SpiffeId.fromCertificate(chain.getFirst()).orElse(null);
    if (!id.equals(named)) {
      throw new IllegalArgumentException(
          "leaf certificate names " + SpiffeId.spiffeUris(chain.getFirst()) + ", not " + id);
    }
  }

  /**
   * Parses PEM text: the chain (leaf first), a PKCS#8 (or SEC1/PKCS#1) private key and the roots.
   * The identity is read from the leaf.
   */
  public static WorkloadCertificate fromPem(String chainPem, String keyPem, String rootsPem) {
    List<X509Certificate> chain = Pem.certificates(chainPem);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate in the chain PEM");
    }
    SpiffeId id =
        SpiffeId.fromCertificate(chain.getFirst())
            .orElseThrow(
                () -> new IllegalArgumentException("leaf certificate names no single SPIFFE id"));
    return new WorkloadCertificate(id, Pem.privateKey(keyPem), chain, Pem.certificates(rootsPem));
  }

  /** The leaf certificate. */
  public X509Certificate leaf() {
    return chain.getFirst();
  }

  /** When the leaf becomes valid. */
  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  /** When the leaf expires. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** Half-way through the leaf's lifetime: when a renewal should start. */
  public Instant renewAt() {
    Instant from = notBefore();
    return from.plusMillis((notAfter().toEpochMilli() - from.toEpochMilli()) / 2);
  }

  /** The chain as PEM (leaf first). */
  public String chainPem() {
    return Pem.encodeCertificates(chain);
  }

  /** The roots as PEM. */
  public String rootsPem() {
    return Pem.encodeCertificates(roots);
  }

  /** The private key as PKCS#8 PEM. */
  public String keyPem() {
    return Pem.encodePrivateKey(key);
  }

  @Override
  public String toString() {
    return "WorkloadCertificate[" + id + ", notAfter=" + notAfter() + "]";
  }
}
