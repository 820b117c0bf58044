package dev.ambit.proto.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;

/**
 * A node credential as written by the control plane into a directory: {@code cert-chain.pem} (leaf
 * first), {@code key.pem} (PKCS#8) and {@code root-cert.pem} (the mesh root). Used as the TLS
 * client certificate towards the control plane's xDS/CA port, whose serving certificate is verified
 * against {@code root-cert.pem} under the name {@link #AUTHORITY}.
 */
public record ControlPlaneCredentials(Path certChain, Path key, Path root)
    implements ControlPlaneAuth {

  /** DNS name in the control plane's serving certificate; used as TLS authority by clients. */
  public static final String AUTHORITY = "ambit-control.istio-system.svc";

  public static ControlPlaneCredentials fromDirectory(Path dir) {
    return new ControlPlaneCredentials(
        dir.resolve("cert-chain.pem"), dir.resolve("key.pem"), dir.resolve("root-cert.pem"));
  }

  /**
   * TLS credentials with this node's key. A PKCS#8 key (EC, as the mesh issues) is read with the
   * JDK and handed over as a key manager: given the key file, the TLS library parses it with
   * BouncyCastle whenever that is on the class path, which loads its whole provider (about 800
   * classes and a large signed-jar manifest, several MiB of a ztunnel that otherwise never needs
   * it).
   */
  public ChannelCredentials channelCredentials() {
    try {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      String keyPem = Files.readString(key);
      if (keyPem.contains("-----BEGIN PRIVATE KEY-----")) {
        tls.keyManager(keyManagerFactory(keyPem).getKeyManagers());
      } else {
        tls.keyManager(certChain.toFile(), key.toFile());
      }
      return tls.trustManager(root.toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read control plane credentials " + certChain, e);
    }
  }

  private KeyManagerFactory keyManagerFactory(String keyPem) throws IOException {
    try (InputStream chainIn = Files.newInputStream(certChain)) {
      String base64 =
          keyPem
              .substring(
                  keyPem.indexOf("-----BEGIN PRIVATE KEY-----") + 27,
                  keyPem.indexOf("-----END PRIVATE KEY-----"))
              .replaceAll("\\s", "");
      PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
      PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(spec);
      Certificate[] chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(chainIn)
              .toArray(Certificate[]::new);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("node", privateKey, password, chain);
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory;
    } catch (GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IOException("bad key or certificate chain in " + key.getParent() + ": " + e, e);
    }
  }

  /** A channel to {@code target} ("host:port") authenticated with this credential. */
  @Override
  public ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, channelCredentials())
        .overrideAuthority(AUTHORITY)
        .build();
  }
}
