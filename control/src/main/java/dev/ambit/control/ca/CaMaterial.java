package dev.ambit.control.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the CA signs with: the signing certificate and key, and the chain above the signer up to and
 * including the root ({@code chainAbove} is empty when the signer is itself the root).
 */
public record CaMaterial(
    X509Certificate signingCert, PrivateKey signingKey, List<X509Certificate> chainAbove) {

  public CaMaterial {
    chainAbove = List.copyOf(chainAbove);
  }

  /** The trust anchor clients verify against: the last certificate of the chain. */
  public X509Certificate root() {
    return chainAbove.isEmpty() ? signingCert : chainAbove.getLast();
  }

  /** The signer followed by everything above it, root last. */
  public List<X509Certificate> signerChain() {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(signingCert), chainAbove.stream())
        .toList();
  }
}
