package dev.ambit.ztunnel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Addresses and privileges for network tests. */
public final class TestNet {

  private TestNet() {}

  /** Runs a command (ip, iptables), failing with its output when it fails. */
  public static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }

  /** A random 127.x.y.0 prefix ("127.x.y."), so parallel runs on one host do not collide. */
  public static String loopbackPrefix() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "127." + r.nextInt(1, 255) + "." + r.nextInt(1, 255) + ".";
  }

  /** Fails clearly when not root: SO_MARK, IP_TRANSPARENT and netns need it. */
  public static void assertRoot() throws Exception {
    Process p = new ProcessBuilder("id", "-u").start();
    String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(uid)
        .as("these tests need root (SO_MARK, IP_TRANSPARENT, network namespaces)")
        .isEqualTo("0");
  }
}
