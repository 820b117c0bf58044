package dev.ambit.control.ca;

import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Signs leaf certificates: workload certificates from CSRs (SPIFFE URI SAN, lifetime capped by
 * {@code maxLifetime}), node credentials and the control plane's own serving certificate. The
 * issued chain is always leaf first, root last.
 */
public final class CertificateAuthority {

  public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);
  static final Duration SKEW = Duration.ofMinutes(1);

  /**
   * The shortest longest-lifetime: certificates start {@link #SKEW} in the past and are renewed at
   * half their validity, so a shorter one would be due for renewal as soon as it is issued.
   */
  public static final Duration MIN_MAX_LIFETIME = SKEW.multipliedBy(2);

  private final CaMaterial material;
  private final String trustDomain;
  private final Duration maxLifetime;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public CertificateAuthority(
      CaMaterial material, String trustDomain, Duration maxLifetime, Clock clock) {
    if (maxLifetime.compareTo(MIN_MAX_LIFETIME) < 0) {
      throw new IllegalArgumentException(
          "the longest certificate lifetime must be at least "
              + MIN_MAX_LIFETIME
              + " (certificates are backdated by "
              + SKEW
              + " and renewed at half their validity), not "
              + maxLifetime);
    }
    this.material = material;
    this.trustDomain = trustDomain;
    this.maxLifetime = maxLifetime;
    this.clock = clock;
  }

  public String trustDomain() {
    return trustDomain;
  }

  public X509Certificate root() {
    return material.root();
  }

  /**
   * Signs a PEM CSR for {@code spiffeUri}. The CSR's own subject and SANs are ignored: the identity
   * is the one the caller was authorised for. {@code requested} of zero or less means the default.
   */
  public List<X509Certificate> signCsr(String csrPem, String spiffeUri, Duration requested) {
    PKCS10CertificationRequest csr = Pem.csr(csrPem);
    PublicKey key;
    try {
      if (!csr.isSignatureValid(
          new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
        throw new IllegalArgumentException("CSR signature does not verify");
      }
      key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("invalid CSR: " + e.getMessage(), e);
    }
    Duration lifetime = requested.isZero() || requested.isNegative() ? DEFAULT_LIFETIME : requested;
    if (lifetime.compareTo(maxLifetime) > 0) {
      lifetime = maxLifetime;
    }
    return chain(
        leaf(
            key,
            List.of(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeUri)),
            lifetime));
  }

  /** A key and chain for a node of this mesh, naming it as {@link Identities#nodeUri}. */
  public IssuedCredential issueNodeCredential(String node, Duration lifetime) {
    KeyPair pair = CertificateIssuer.newKeyPair();
    X509Certificate leaf =
        leaf(
            pair.getPublic(),
            List.of(
                new GeneralName(
                    GeneralName.uniformResourceIdentifier, Identities.nodeUri(trustDomain, node))),
            lifetime);
    return new IssuedCredential(pair.getPrivate(), chain(leaf), material.root());
  }

  /** The control plane's serving certificate for the given DNS names and IP addresses. */
  public IssuedCredential issueServerCredential(
      List<String> dnsNames, List<String> ipAddresses, Duration lifetime) {
    KeyPair pair = CertificateIssuer.newKeyPair();
    List<GeneralName> names = new ArrayList<>();
    names.add(
        new GeneralName(GeneralName.uniformResourceIdentifier, Identities.controlUri(trustDomain)));
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return new IssuedCredential(
        pair.getPrivate(), chain(leaf(pair.getPublic(), names, lifetime)), material.root());
  }

  private List<X509Certificate> chain(X509Certificate leaf) {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf);
    chain.addAll(material.signerChain());
    return List.copyOf(chain);
  }

  private X509Certificate leaf(PublicKey key, List<GeneralName> sans, Duration lifetime) {
    Instant now = clock.instant();
    Instant notAfter = now.plus(lifetime);
    Instant signerEnd = material.signingCert().getNotAfter().toInstant();
    if (notAfter.isAfter(signerEnd)) {
      notAfter = signerEnd;
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      var builder =
          new JcaX509v3CertificateBuilder(
                  X500Name.getInstance(
                      material.signingCert().getSubjectX500Principal().getEncoded()),
                  new BigInteger(127, random),
                  Date.from(now.minus(SKEW)),
                  Date.from(notAfter),
                  new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
                  key)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              // Subject is empty, so the SAN extension must be critical (RFC 5280 4.2.1.6).
              .addExtension(
                  Extension.subjectAlternativeName,
                  true,
                  new GeneralNames(sans.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(material.signingCert()));
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(material.signingKey())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign certificate: " + e.getMessage(), e);
    }
  }
}
