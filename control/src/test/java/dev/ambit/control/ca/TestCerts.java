package dev.ambit.control.ca;

import dev.ambit.transport.identity.Pem;
import java.security.KeyPair;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Helpers for tests: CSRs as a workload would send them. */
public final class TestCerts {

  private TestCerts() {}

  public static String csr(KeyPair pair) {
    try {
      var builder =
          new JcaPKCS10CertificationRequestBuilder(new X500Name("O=test"), pair.getPublic());
      return Pem.encodeCsr(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
