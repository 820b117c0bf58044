package dev.ambit.transport.identity;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The crypto of a mesh certificate authority (no persistence, no policy): EC P-256 key pairs,
 * PKCS#10 requests naming a SPIFFE id, self-signed roots, intermediates, and workload leaves.
 *
 * <p>Leaves have an empty subject, a critical URI SAN with the SPIFFE id, key usage
 * digitalSignature+keyEncipherment, extended key usage serverAuth+clientAuth, and never outlive
 * their issuer. Thread-safe.
 */
public final class CertificateIssuer {

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final Duration BACKDATE = Duration.ofMinutes(1);

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** An issuer using the system clock. */
  public CertificateIssuer() {
    this(Clock.systemUTC());
  }

  /** An issuer whose "now" comes from {@code clock} (validity starts one minute before now). */
  public CertificateIssuer(Clock clock) {
    this.clock = clock;
  }

  /** A fresh EC P-256 key pair. */
  public static KeyPair newKeyPair() {
    return CertificateRequest.newKeyPair();
  }

  /** A PEM PKCS#10 request signed by {@code keys}, asking for {@code id} as its URI SAN. */
  public static String csr(KeyPair keys, SpiffeId id) {
    return CertificateRequest.pem(keys, id);
  }

  /**
   * Checks a PEM request's signature (proof that the requester holds the key) and returns the
   * SPIFFE id it asks for; throws {@link IllegalArgumentException} when the request is malformed,
   * badly signed, not EC P-256 or names anything but exactly one SPIFFE id.
   */
  public static SpiffeId requestedIdentity(String csrPem) {
    PKCS10CertificationRequest csr = verifiedCsr(csrPem);
    Extensions extensions = null;
    for (Attribute attribute :
        csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
    }
    GeneralNames names =
        extensions == null
            ? null
            : GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
    if (names == null) {
      throw new IllegalArgumentException("certificate request has no subject alternative name");
    }
    SpiffeId found = null;
    for (GeneralName name : names.getNames()) {
      if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
        if (found != null) {
          throw new IllegalArgumentException("certificate request names more than one URI");
        }
        found = SpiffeId.parse(name.getName().toString());
      }
    }
    if (found == null) {
      throw new IllegalArgumentException("certificate request names no SPIFFE id");
    }
    return found;
  }

  /**
   * A self-signed root CA certificate for {@code keys}, subject {@code O=<organization>,
   * CN=<commonName>}, valid from now for {@code validity}.
   */
  public X509Certificate selfSignedRoot(
      KeyPair keys, String organization, String commonName, Duration validity) {
    X500Name subject = caName(organization, commonName);
    Instant from = clock.instant().minus(BACKDATE);
    return build(
        subject,
        keys.getPublic(),
        subject,
        keys.getPrivate(),
        keys.getPublic(),
        from,
        from.plus(validity),
        b -> {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
          b.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
  }

  /**
   * An intermediate CA certificate for {@code publicKey} (path length 0: it signs only leaves),
   * signed by {@code issuerCert}/{@code issuerKey}; never outlives its issuer.
   */
  public X509Certificate intermediate(
      PublicKey publicKey,
      String organization,
      String commonName,
      Duration validity,
      X509Certificate issuerCert,
      PrivateKey issuerKey) {
    Instant from = clock.instant().minus(BACKDATE);
    return build(
        caName(organization, commonName),
        publicKey,
        X500Name.getInstance(issuerCert.getSubjectX500Principal().getEncoded()),
        issuerKey,
        issuerCert.getPublicKey(),
        from,
        capped(from.plus(validity), issuerCert),
        b -> {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
          b.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
  }

  /**
   * Signs a PEM request into a leaf for {@code id}, valid from now for {@code validity} (capped at
   * the issuer's expiry). The identity comes from the caller (who decided it is allowed), not from
   * the request; the request's signature is verified.
   */
  public X509Certificate sign(
      String csrPem,
      SpiffeId id,
      Duration validity,
      X509Certificate issuerCert,
      PrivateKey issuerKey) {
    Instant from = clock.instant().minus(BACKDATE);
    return sign(csrPem, id, from, from.plus(validity), issuerCert, issuerKey);
  }

  /**
   * Like {@link #sign(String, SpiffeId, Duration, X509Certificate, PrivateKey)} with explicit
   * validity.
   */
  public X509Certificate sign(
      String csrPem,
      SpiffeId id,
      Instant notBefore,
      Instant notAfter,
      X509Certificate issuerCert,
      PrivateKey issuerKey) {
    PublicKey publicKey;
    try {
      publicKey = new JcaPKCS10CertificationRequest(verifiedCsr(csrPem)).getPublicKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("certificate request has an unusable public key", e);
    }
    return leaf(publicKey, id, notBefore, capped(notAfter, issuerCert), issuerCert, issuerKey);
  }

  /**
   * Convenience for tests and local tooling: a fresh key, a leaf for {@code id} signed by the
   * issuer, and the resulting credentials. {@code intermediates} are appended to the chain after
   * the leaf.
   */
  public WorkloadCertificate issue(
      SpiffeId id,
      Duration validity,
      X509Certificate issuerCert,
      PrivateKey issuerKey,
      List<X509Certificate> intermediates,
      List<X509Certificate> roots) {
    KeyPair keys = newKeyPair();
    X509Certificate leaf = sign(csr(keys, id), id, validity, issuerCert, issuerKey);
    List<X509Certificate> chain = new java.util.ArrayList<>();
    chain.add(leaf);
    chain.addAll(intermediates);
    return new WorkloadCertificate(id, keys.getPrivate(), chain, roots);
  }

  private X509Certificate leaf(
      PublicKey publicKey,
      SpiffeId id,
      Instant notBefore,
      Instant notAfter,
      X509Certificate issuerCert,
      PrivateKey issuerKey) {
    if (!"EC".equals(publicKey.getAlgorithm())) {
      throw new IllegalArgumentException(
          "only EC keys are accepted, got " + publicKey.getAlgorithm());
    }
    return build(
        new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
        publicKey,
        X500Name.getInstance(issuerCert.getSubjectX500Principal().getEncoded()),
        issuerKey,
        issuerCert.getPublicKey(),
        notBefore,
        notAfter,
        b -> {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
          b.addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
          b.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(
                  new KeyPurposeId[] {
                    KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                  }));
          b.addExtension(Extension.subjectAlternativeName, true, sanOf(id));
        });
  }

  @FunctionalInterface
  private interface Extender {
    void extend(X509v3CertificateBuilder builder) throws CertIOException;
  }

  private X509Certificate build(
      X500Name subject,
      PublicKey subjectKey,
      X500Name issuer,
      PrivateKey issuerKey,
      PublicKey issuerPublicKey,
      Instant notBefore,
      Instant notAfter,
      Extender extender) {
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException(
          "validity ends before it starts: " + notBefore + " .. " + notAfter);
    }
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(127, random).add(BigInteger.ONE),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              subjectKey);
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          utils.createAuthorityKeyIdentifier(issuerPublicKey));
      extender.extend(builder);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer(issuerKey)));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot build a certificate", e);
    }
  }

  private static Instant capped(Instant notAfter, X509Certificate issuer) {
    Instant issuerEnd = issuer.getNotAfter().toInstant();
    return notAfter.isAfter(issuerEnd) ? issuerEnd : notAfter;
  }

  private static X500Name caName(String organization, String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, organization)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static GeneralNames sanOf(SpiffeId id) {
    return new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri()));
  }

  private static PKCS10CertificationRequest verifiedCsr(String csrPem) {
    PKCS10CertificationRequest csr = Pem.csr(csrPem);
    try {
      ContentVerifierProvider verifier =
          new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo());
      if (!csr.isSignatureValid(verifier)) {
        throw new IllegalArgumentException("certificate request signature does not verify");
      }
    } catch (OperatorCreationException | PKCSException e) {
      throw new IllegalArgumentException(
          "certificate request signature cannot be checked: " + e.getMessage(), e);
    }
    return csr;
  }

  private static ContentSigner signer(PrivateKey key) {
    try {
      return new JcaContentSignerBuilder(SIGNATURE).build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with " + key.getAlgorithm(), e);
    }
  }
}
