package dev.ambit.transport.identity;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM encoding and decoding of certificates, PKCS#8 private keys and PKCS#10 requests. */
public final class Pem {

  private Pem() {}

  /** Encodes one certificate. */
  public static String encode(X509Certificate certificate) {
    return encodeCertificates(List.of(certificate));
  }

  /** Encodes certificates one after the other, in order. */
  public static String encodeCertificates(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate c : certificates) {
        writer.writeObject(c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Encodes a private key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). */
  public static String encodePrivateKey(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode the private key: " + e.getMessage(), e);
    }
  }

  /** Encodes a PKCS#10 certificate signing request. */
  public static String encodeCsr(PKCS10CertificationRequest csr) {
    try {
      return write(new PemObject("CERTIFICATE REQUEST", csr.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All certificates in PEM text, in order; other PEM objects are rejected. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object o : readAll(pem)) {
      if (!(o instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException(
            "expected only certificates in PEM, found " + o.getClass().getSimpleName());
      }
      try {
        out.add(converter.getCertificate(holder));
      } catch (CertificateException e) {
        throw new IllegalArgumentException("bad certificate in PEM: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The single private key in PEM text (PKCS#8, or the older SEC1/PKCS#1 key-pair forms). */
  public static PrivateKey privateKey(String pem) {
    List<Object> objects = readAll(pem);
    if (objects.size() != 1) {
      throw new IllegalArgumentException(
          "expected exactly one private key in PEM, found " + objects.size() + " objects");
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      return switch (objects.getFirst()) {
        case PrivateKeyInfo info -> converter.getPrivateKey(info);
        case PEMKeyPair pair -> converter.getPrivateKey(pair.getPrivateKeyInfo());
        default ->
            throw new IllegalArgumentException(
                "expected a private key in PEM, found "
                    + objects.getFirst().getClass().getSimpleName());
      };
    } catch (IOException e) {
      throw new IllegalArgumentException("bad private key in PEM: " + e.getMessage(), e);
    }
  }

  /** The single PKCS#10 request in PEM text. */
  public static PKCS10CertificationRequest csr(String pem) {
    List<Object> objects = readAll(pem);
    if (objects.size() != 1 || !(objects.getFirst() instanceof PKCS10CertificationRequest csr)) {
      throw new IllegalArgumentException("expected exactly one certificate request in PEM");
    }
    return csr;
  }

  private static List<Object> readAll(String pem) {
    if (pem == null) {
      throw new IllegalArgumentException("PEM text is missing");
    }
    List<Object> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(o);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
    }
    return out;
  }

  private static String write(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
