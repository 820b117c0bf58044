package dev.ambit.ztunnel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Addresses and privileges for network tests. */
public final class TestNet {

  private TestNet() {}

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
