package dev.ambit.ztunnel.identity;

import dev.ambit.proto.client.CaClient;
import dev.ambit.transport.identity.CertificateRequest;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates from the mesh CA: a fresh P-256 key and CSR per request, signed for the pod's
 * identity on the node credential's behalf. The trust roots are the node's own copy of the mesh
 * root, never the ones the CA sends back.
 */
public final class CaCertificateSource implements CertificateSource {

  private final CaClient ca;
  private final List<X509Certificate> roots;
  private final Duration validity;

  public CaCertificateSource(CaClient ca, List<X509Certificate> roots, Duration validity) {
    this.ca = ca;
    this.roots = List.copyOf(roots);
    this.validity = validity;
  }

  @Override
  public WorkloadCertificate fetch(SpiffeId id) {
    KeyPair keys = CertificateRequest.newKeyPair();
    List<String> pems = ca.createCertificate(CertificateRequest.pem(keys, id), id.uri(), validity);
    List<X509Certificate> chain = new ArrayList<>();
    for (String pem : pems) {
      for (X509Certificate c : Pem.certificates(pem)) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
          chain.add(c);
        }
      }
    }
    if (chain.isEmpty()) {
      throw new IllegalStateException("the CA returned no certificate for " + id);
    }
    return new WorkloadCertificate(id, keys.getPrivate(), chain, roots);
  }
}
