package dev.ambit.control.ca;

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
    Pem.writePrivate(dir.resolve("key.pem"), Pem.encode(key));
    Pem.write(dir.resolve("cert-chain.pem"), Pem.encode(chain), "rw-r--r--");
    Pem.write(dir.resolve("root-cert.pem"), Pem.encode(root), "rw-r--r--");
  }
}
