package dev.ambit.node.testing;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Tests that need root fail clearly when not run as root. */
public final class Root {
  private Root() {}

  public static void require() {
    String user = System.getProperty("user.name");
    long uid = new com.sun.security.auth.module.UnixSystem().getUid();
    if (uid != 0) {
      throw new AssertionError(
          "this test creates network namespaces and needs root (running as " + user + ")");
    }
  }

  /** A unique name for this run: the prefix plus 6 random hex digits. */
  public static String uniqueName(String prefix) {
    byte[] b = new byte[3];
    ThreadLocalRandom.current().nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }
}
