package dev.ambit.transport.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * PEM encoding and decoding of certificates, PKCS#8 private keys and PKCS#10 requests.
 *
 * <p>Reading certificates and PKCS#8 keys, and writing requests, use the JDK only, so that a
 * process that just fetches and reads workload certificates (a ztunnel) never loads BouncyCastle;
 * the older key forms and the writers of certificates and keys still use it.
 */
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
      return encodeCsr(csr.getEncoded());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Encodes a DER PKCS#10 certificate signing request. */
  static String encodeCsr(byte[] der) {
    return "-----BEGIN CERTIFICATE REQUEST-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  /** All certificates in PEM text, in order; other PEM objects are rejected. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("X.509 is not available", e);
    }
    for (Block block : blocks(pem)) {
      if (!block.type().equals("CERTIFICATE")) {
        throw new IllegalArgumentException(
            "expected only certificates in PEM, found " + block.type());
      }
      try {
        out.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (CertificateException e) {
        throw new IllegalArgumentException("bad certificate in PEM: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The single private key in PEM text (PKCS#8, or the older SEC1/PKCS#1 key-pair forms). */
  public static PrivateKey privateKey(String pem) {
    List<Block> blocks = blocks(pem);
    if (blocks.size() == 1 && blocks.getFirst().type().equals("PRIVATE KEY")) {
      return pkcs8(blocks.getFirst().der());
    }
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

  private record Block(String type, byte[] der) {}

  /** The PEM blocks of {@code pem} in order; text outside blocks is ignored. */
  private static List<Block> blocks(String pem) {
    if (pem == null) {
      throw new IllegalArgumentException("PEM text is missing");
    }
    List<Block> out = new ArrayList<>();
    String type = null;
    StringBuilder body = new StringBuilder();
    for (String raw : pem.split("\r?\n")) {
      String line = raw.strip();
      if (type == null) {
        if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
          type = line.substring(11, line.length() - 5);
          body.setLength(0);
        }
      } else if (line.equals("-----END " + type + "-----")) {
        try {
          out.add(new Block(type, Base64.getMimeDecoder().decode(body.toString())));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
        }
        type = null;
      } else if (line.contains(":")) {
        throw new IllegalArgumentException("malformed PEM: encrypted or with headers: " + type);
      } else {
        body.append(line);
      }
    }
    if (type != null) {
      throw new IllegalArgumentException("malformed PEM: " + type + " has no END line");
    }
    return out;
  }

  private static PrivateKey pkcs8(byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException failure = null;
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        failure = e;
      }
    }
    throw new IllegalArgumentException("bad private key in PEM: " + failure.getMessage(), failure);
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
