package dev.ambit.node.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Attaches pod namespaces to their node: a veth pair whose node end joins the node's pod bridge and
 * whose pod end is {@code eth0} with the pod's address and a default route via the node.
 */
public final class PodNetwork {
  private final MeshLayout layout;
  private final int node;

  public PodNetwork(MeshLayout layout, int node) {
    this.layout = layout;
    this.node = node;
  }

  /** Creates the pod netns (if missing) and wires it with the address 10.241.node.host. */
  public String attach(String podNetns, int host) {
    String nodeNs = layout.nodeNetns(node);
    String ip = MeshLayout.podAddress(node, host);
    String veth = MeshLayout.podVeth(host);
    if (!NetnsOps.exists(podNetns)) {
      NetnsOps.add(podNetns);
    }
    Commands.runQuietly("ip", "-n", nodeNs, "link", "del", veth);
    Commands.run(
        "ip", "-n", nodeNs, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns",
        podNetns);
    Commands.run("ip", "-n", nodeNs, "link", "set", veth, "master", MeshTopology.POD_BRIDGE, "up");
    Commands.run("ip", "-n", podNetns, "addr", "add", ip + "/24", "dev", "eth0");
    Commands.run("ip", "-n", podNetns, "link", "set", "eth0", "up");
    Commands.run(
        "ip", "-n", podNetns, "route", "add", "default", "via", MeshLayout.podGateway(node));
    return ip;
  }

  /** Deletes the pod netns (its veth goes with it) and its /etc/netns entry. */
  public void detach(String podNetns, java.time.Duration grace) {
    NetnsOps.destroy(podNetns, grace);
    try {
      MeshTopology.deleteTree(NetnsOps.etcDir(podNetns));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Pods have no route to the host's DNS servers: they resolve from their hosts file, and a
   * resolver on the pod's own loopback (where nothing listens) makes other lookups fail at once
   * instead of timing out.
   */
  static final String RESOLV_CONF =
      "# local mesh pod: names resolve from /etc/hosts\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n";

  /**
   * Writes the hosts file (and resolv.conf) that {@code ip netns exec} shows the pod as /etc/hosts
   * (/etc/resolv.conf).
   */
  public static void writeHosts(String podNetns, String content) {
    Path dir = NetnsOps.etcDir(podNetns);
    try {
      Files.createDirectories(dir);
      // Rewritten in place: running processes see it through a bind mount of this very inode.
      Files.writeString(dir.resolve("hosts"), content);
      Path resolv = dir.resolve("resolv.conf");
      if (!Files.exists(resolv)) {
        Files.writeString(resolv, RESOLV_CONF);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
