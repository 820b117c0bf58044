package dev.ambit.node.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fabric and node namespaces of a local mesh, built with {@code ip}. Nothing is created in the
 * host's own namespace: links, addresses, routes and rules all live in namespaces named with the
 * mesh prefix, so deleting those namespaces restores the host.
 */
public final class MeshTopology {
  private static final Logger log = LoggerFactory.getLogger(MeshTopology.class);
  static final String FABRIC_BRIDGE = "br0";
  static final String POD_BRIDGE = "cbr0";

  private final MeshLayout layout;

  public MeshTopology(MeshLayout layout) {
    this.layout = layout;
  }

  public MeshLayout layout() {
    return layout;
  }

  /** Creates the fabric and {@code nodes} node namespaces, fully routed. */
  public void create(int nodes) {
    if (nodes < 1 || nodes > MeshLayout.MAX_NODES) {
      throw new IllegalArgumentException("nodes must be 1.." + MeshLayout.MAX_NODES);
    }
    String fabric = layout.fabricNetns();
    NetnsOps.add(fabric);
    Commands.run("ip", "-n", fabric, "link", "add", FABRIC_BRIDGE, "type", "bridge");
    Commands.run(
        "ip",
        "-n",
        fabric,
        "addr",
        "add",
        MeshLayout.FABRIC_ADDRESS + "/" + MeshLayout.FABRIC_PREFIX_LENGTH,
        "dev",
        FABRIC_BRIDGE);
    Commands.run("ip", "-n", fabric, "link", "set", FABRIC_BRIDGE, "up");
    NetnsOps.sysctl(fabric, "net.ipv4.ip_forward", "1");
    for (int i = 1; i <= nodes; i++) {
      createNode(i);
    }
    for (int i = 1; i <= nodes; i++) {
      String ns = layout.nodeNetns(i);
      Commands.run(
          "ip",
          "-n",
          fabric,
          "route",
          "add",
          MeshLayout.podCidr(i),
          "via",
          MeshLayout.nodeAddress(i));
      for (int j = 1; j <= nodes; j++) {
        if (j != i) {
          Commands.run(
              "ip",
              "-n",
              ns,
              "route",
              "add",
              MeshLayout.podCidr(j),
              "via",
              MeshLayout.nodeAddress(j));
        }
      }
    }
    log.debug("mesh {}: fabric and {} nodes created", layout.prefix(), nodes);
  }

  private void createNode(int i) {
    String fabric = layout.fabricNetns();
    String ns = layout.nodeNetns(i);
    String fabricSide = "n" + i;
    NetnsOps.add(ns);
    Commands.run(
        "ip",
        "-n",
        fabric,
        "link",
        "add",
        fabricSide,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        ns);
    Commands.run("ip", "-n", fabric, "link", "set", fabricSide, "master", FABRIC_BRIDGE, "up");
    Commands.run(
        "ip",
        "-n",
        ns,
        "addr",
        "add",
        MeshLayout.nodeAddress(i) + "/" + MeshLayout.FABRIC_PREFIX_LENGTH,
        "dev",
        "eth0");
    Commands.run("ip", "-n", ns, "link", "set", "eth0", "up");
    Commands.run("ip", "-n", ns, "route", "add", "default", "via", MeshLayout.FABRIC_ADDRESS);
    Commands.run("ip", "-n", ns, "link", "add", POD_BRIDGE, "type", "bridge");
    Commands.run(
        "ip", "-n", ns, "addr", "add", MeshLayout.podGateway(i) + "/24", "dev", POD_BRIDGE);
    Commands.run("ip", "-n", ns, "link", "set", POD_BRIDGE, "up");
    NetnsOps.sysctl(ns, "net.ipv4.ip_forward", "1");
  }

  /**
   * Removes everything of the mesh: kills processes in its namespaces, deletes the namespaces (pods
   * first, then nodes, then the fabric) and the /etc/netns entries. Safe to call after a crash and
   * more than once.
   */
  public static void destroy(String prefix, Duration grace) {
    String p = prefix + "-";
    List<String> all = NetnsOps.list(p);
    Comparator<String> order =
        Comparator.comparingInt(
            n ->
                n.equals(p + "fabric")
                    ? 2
                    : n.matches(java.util.regex.Pattern.quote(p) + "node[0-9]+") ? 1 : 0);
    List<Long> pids = all.stream().flatMap(n -> NetnsOps.pids(n).stream()).distinct().toList();
    Processes.terminate(pids, grace);
    all.stream().sorted(order).forEach(n -> NetnsOps.destroy(n, grace));
    removeEtcNetns(p);
    log.debug("mesh {}: removed {} namespaces", prefix, all.size());
  }

  private static void removeEtcNetns(String p) {
    if (!Files.isDirectory(NetnsOps.ETC_NETNS_DIR)) {
      return;
    }
    try (Stream<Path> s = Files.list(NetnsOps.ETC_NETNS_DIR)) {
      for (Path dir : s.filter(d -> d.getFileName().toString().startsWith(p)).toList()) {
        deleteTree(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
