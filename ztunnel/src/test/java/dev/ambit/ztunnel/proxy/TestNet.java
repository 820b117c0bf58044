package dev.ambit.ztunnel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.node.redirect.RedirectionRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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

  /**
   * Two pods' network namespaces, {@code clientNs} and {@code serverNs}, joined by a veth pair
   * ({@code link0} in the client's, {@code link1} in the server's) with each pod's address on its
   * end, and the node agent's redirection rules in each, as {@code ambit up} sets pods up (the
   * rules also route replies to the ztunnel's upstream connections, which keep the client's
   * address, back to it).
   */
  public static void linkedPods(String clientNs, String clientIp, String serverNs, String serverIp)
      throws Exception {
    run("ip", "netns", "add", clientNs);
    run("ip", "netns", "add", serverNs);
    run(
        "ip", "-n", clientNs, "link", "add", "link0", "type", "veth", "peer", "name", "link1",
        "netns", serverNs);
    run("ip", "-n", clientNs, "addr", "add", clientIp + "/24", "dev", "link0");
    run("ip", "-n", serverNs, "addr", "add", serverIp + "/24", "dev", "link1");
    for (String ns : List.of(clientNs, serverNs)) {
      run("ip", "-n", ns, "link", "set", "lo", "up");
      run("ip", "-n", ns, "link", "set", ns.equals(clientNs) ? "link0" : "link1", "up");
      new RedirectionRules(netns(ns)).apply();
    }
  }

  /** The path of the named network namespace {@code name}. */
  public static Path netns(String name) {
    return Path.of("/var/run/netns", name);
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
