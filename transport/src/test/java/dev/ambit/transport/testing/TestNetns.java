package dev.ambit.transport.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A network namespace created for one test ({@code ip netns add at<6 hex>}), deleted on close. */
public final class TestNetns implements AutoCloseable {

  private final String name;

  private TestNetns(String name) {
    this.name = name;
  }

  /** Creates a namespace with loopback up; fails clearly when not root. */
  public static TestNetns create() throws Exception {
    requireRoot();
    String name =
        "at" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    run("ip", "netns", "add", name);
    TestNetns ns = new TestNetns(name);
    ns.exec("ip", "link", "set", "lo", "up");
    return ns;
  }

  public static void requireRoot() throws IOException {
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    assertThat(uid).as("this test creates network namespaces and needs root").isEqualTo(0);
  }

  public String name() {
    return name;
  }

  public Path path() {
    return Path.of("/var/run/netns", name);
  }

  /** Runs a command inside the namespace and returns its stdout; fails on a non-zero exit. */
  public String exec(String... command) throws Exception {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return run(full.toArray(String[]::new));
  }

  /** Starts a command inside the namespace with {@code stdin} fed to it. */
  public Process start(String... command) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return new ProcessBuilder(full).redirectErrorStream(false).start();
  }

  /** A veth pair inside the namespace, {@code v0} carrying the given CIDR addresses, both up. */
  public void addresses(String... cidrs) throws Exception {
    exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    for (String cidr : cidrs) {
      exec("ip", "addr", "add", cidr, "dev", "v0");
    }
    exec("ip", "link", "set", "v0", "up");
    exec("ip", "link", "set", "v1", "up");
  }

  public static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + String.join(" ", command));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (" + p.exitValue() + "): " + err);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    run("ip", "netns", "delete", name);
  }
}
