package dev.ambit.transport.identity;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * Key pairs and PKCS#10 certificate requests for a SPIFFE id, DER-encoded with the JDK alone: an
 * empty subject, the public key, an extensionRequest attribute holding a critical URI SAN, signed
 * with ECDSA SHA-256. Kept free of BouncyCastle so that a ztunnel, which only ever asks for
 * certificates, never loads that library (its classes and signed-jar manifests cost several MiB of
 * an idle process).
 */
public final class CertificateRequest {

  private static final byte[] EXTENSION_REQUEST = oid(0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 9, 14);
  private static final byte[] SUBJECT_ALT_NAME = oid(0x55, 0x1D, 0x11);
  private static final byte[] ECDSA_WITH_SHA256 = oid(0x2A, 0x86, 0x48, 0xCE, 0x3D, 4, 3, 2);
  private static final byte[] TRUE = {0x01, 0x01, (byte) 0xFF};

  private CertificateRequest() {}

  /** A fresh EC P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available", e);
    }
  }

  /** A PEM PKCS#10 request signed by {@code keys}, asking for {@code id} as its URI SAN. */
  public static String pem(KeyPair keys, SpiffeId id) {
    return Pem.encodeCsr(der(keys, id));
  }

  /** The DER encoding of a request signed by {@code keys} naming {@code id}. */
  static byte[] der(KeyPair keys, SpiffeId id) {
    byte[] uri = tlv(0x86, id.uri().getBytes(StandardCharsets.US_ASCII));
    byte[] san = tlv(0x30, SUBJECT_ALT_NAME, TRUE, tlv(0x04, tlv(0x30, uri)));
    byte[] attribute = tlv(0x30, EXTENSION_REQUEST, tlv(0x31, tlv(0x30, san)));
    byte[] info =
        tlv(
            0x30,
            new byte[] {0x02, 0x01, 0x00},
            tlv(0x30),
            keys.getPublic().getEncoded(),
            tlv(0xA0, attribute));
    byte[] signature;
    try {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(keys.getPrivate());
      signer.update(info);
      signature = signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate request", e);
    }
    byte[] bits = new byte[signature.length + 1];
    System.arraycopy(signature, 0, bits, 1, signature.length);
    return tlv(0x30, info, tlv(0x30, ECDSA_WITH_SHA256), tlv(0x03, bits));
  }

  private static byte[] oid(int... body) {
    byte[] out = new byte[body.length];
    for (int i = 0; i < body.length; i++) {
      out[i] = (byte) body[i];
    }
    return tlv(0x06, out);
  }

  private static byte[] tlv(int tag, byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      throw new IllegalArgumentException("certificate request part too long: " + length);
    }
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
