package dev.ambit.control.ca;

import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the CA's signing material: either a self-signed root kept under {@code <home>/ca} (created
 * on first start, reused afterwards) or a plug-in intermediate CA directory with {@code
 * ca-cert.pem}, {@code ca-key.pem}, {@code root-cert.pem} and optionally {@code cert-chain.pem}.
 */
public final class CaLoader {

  private static final Logger log = LoggerFactory.getLogger(CaLoader.class);
  static final Duration ROOT_LIFETIME = Duration.ofDays(3650);

  private CaLoader() {}

  /** Reads {@code dir/root-cert.pem} and {@code dir/root-key.pem}, creating them when absent. */
  public static CaMaterial loadOrCreateRoot(Path dir, String trustDomain) {
    Path certFile = dir.resolve("root-cert.pem");
    Path keyFile = dir.resolve("root-key.pem");
    try {
      if (Files.exists(certFile) && Files.exists(keyFile)) {
        X509Certificate cert = Pem.certificates(PemFiles.read(certFile)).getFirst();
        PrivateKey key = Pem.privateKey(PemFiles.read(keyFile));
        requireMatchingKey(cert, key, keyFile);
        log.info("reusing root CA {} from {}", cert.getSubjectX500Principal(), dir);
        return new CaMaterial(cert, key, List.of());
      }
      Files.createDirectories(dir);
      KeyPair pair = CertificateIssuer.newKeyPair();
      X509Certificate cert = selfSignedRoot(pair, trustDomain);
      PemFiles.writePrivate(keyFile, Pem.encodePrivateKey(pair.getPrivate()));
      PemFiles.write(certFile, Pem.encode(cert), "rw-r--r--");
      log.info("created root CA {} in {}", cert.getSubjectX500Principal(), dir);
      return new CaMaterial(cert, pair.getPrivate(), List.of());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot prepare CA directory " + dir + ": " + e, e);
    }
  }

  /** Loads a plug-in CA directory; the signer is an intermediate under the given root. */
  public static CaMaterial loadPlugin(Path dir) {
    X509Certificate caCert = Pem.certificates(PemFiles.read(dir.resolve("ca-cert.pem"))).getFirst();
    PrivateKey caKey = Pem.privateKey(PemFiles.read(dir.resolve("ca-key.pem")));
    requireMatchingKey(caCert, caKey, dir.resolve("ca-key.pem"));
    X509Certificate root = Pem.certificates(PemFiles.read(dir.resolve("root-cert.pem"))).getFirst();
    List<X509Certificate> above = new ArrayList<>();
    Path chainFile = dir.resolve("cert-chain.pem");
    if (Files.exists(chainFile)) {
      for (X509Certificate c : Pem.certificates(PemFiles.read(chainFile))) {
        if (!c.equals(caCert) && !c.equals(root)) {
          above.add(c);
        }
      }
    }
    above.add(root);
    verifyChain(caCert, above, dir);
    log.info(
        "plug-in CA {} under root {} from {}",
        caCert.getSubjectX500Principal(),
        root.getSubjectX500Principal(),
        dir);
    return new CaMaterial(caCert, caKey, above);
  }

  static X509Certificate selfSignedRoot(KeyPair pair, String trustDomain) {
    try {
      X500Name name = new X500Name("O=" + trustDomain + ",CN=Ambit root CA");
      Instant now = Instant.now();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      var builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  new BigInteger(127, new SecureRandom()),
                  Date.from(now.minus(Duration.ofMinutes(1))),
                  Date.from(now.plus(ROOT_LIFETIME)),
                  name,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot create root certificate", e);
    }
  }

  private static void requireMatchingKey(X509Certificate cert, PrivateKey key, Path keyFile) {
    PublicKey pub = cert.getPublicKey();
    try {
      java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA");
      byte[] probe = "ambit-ca-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      s.initVerify(pub);
      s.update(probe);
      if (!s.verify(sig)) {
        throw new IllegalStateException(keyFile + " does not match its certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          keyFile + " does not match its certificate (" + e.getMessage() + ")", e);
    }
  }

  private static void verifyChain(X509Certificate cert, List<X509Certificate> above, Path dir) {
    X509Certificate child = cert;
    for (X509Certificate parent : above) {
      try {
        child.verify(parent.getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(
            "plug-in CA "
                + dir
                + ": "
                + child.getSubjectX500Principal()
                + " is not signed by "
                + parent.getSubjectX500Principal(),
            e);
      }
      child = parent;
    }
    if (!Arrays.equals(
        child.getSubjectX500Principal().getEncoded(),
        child.getIssuerX500Principal().getEncoded())) {
      throw new IllegalStateException("plug-in CA " + dir + ": root-cert.pem is not self-signed");
    }
  }
}
