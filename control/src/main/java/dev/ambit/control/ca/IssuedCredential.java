package dev.ambit.control.ca;

import dev.ambit.transport.identity.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A private key with its certificate chain (leaf first) and the root to trust. */
public record IssuedCredential(PrivateKey key, List<X509Certificate> chain, X509Certificate root) {

  public IssuedCredential {
    chain = List.copyOf(chain);
  }

  /**
   * Writes {@code cert-chain.pem}, {@code key.pem} (0600) and {@code root-cert.pem} into {@code
   * dir}, the layout ztunnel and waypoints read with their {@code --credentials DIR} option.
   */
  public void writeTo(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    PemFiles.writePrivate(dir.resolve("key.pem"), Pem.encodePrivateKey(key));
    PemFiles.write(dir.resolve("cert-chain.pem"), Pem.encodeCertificates(chain), "rw-r--r--");
    PemFiles.write(dir.resolve("root-cert.pem"), Pem.encode(root), "rw-r--r--");
  }
}
