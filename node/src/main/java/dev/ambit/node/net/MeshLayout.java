package dev.ambit.node.net;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names and addresses of one local mesh. Everything a mesh creates is named with its prefix, so
 * tearing it down removes exactly what it created.
 *
 * <ul>
 *   <li>fabric netns {@code <prefix>-fabric} with bridge {@code br0} on 10.240.0.0/24; the control
 *       plane is at 10.240.0.1
 *   <li>node i (1-based): netns {@code <prefix>-node<i>}, address 10.240.0.(10+i)
 *   <li>pods of node i: 10.241.i.0/24, gateway 10.241.i.1 (bridge {@code cbr0} in the node netns)
 *   <li>pod netns {@code <prefix>-<namespace>-<pod>}
 * </ul>
 */
public record MeshLayout(String prefix) {
  public static final String FABRIC_ADDRESS = "10.240.0.1";
  public static final int FABRIC_PREFIX_LENGTH = 24;
  public static final int MAX_NODES = 200;
  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{1,9}");

  public MeshLayout {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("bad mesh prefix: " + prefix);
    }
  }

  /** A fresh layout with a random prefix "ab" + 4 hex digits. */
  public static MeshLayout random() {
    byte[] b = new byte[2];
    new SecureRandom().nextBytes(b);
    return new MeshLayout("ab" + HexFormat.of().formatHex(b));
  }

  public String fabricNetns() {
    return prefix + "-fabric";
  }

  public String nodeNetns(int node) {
    checkNode(node);
    return prefix + "-node" + node;
  }

  /** The node index of a node name "node<i>" as used by {@code ambit up}. */
  public static int nodeIndex(String nodeName) {
    if (!nodeName.matches("node[0-9]+")) {
      throw new IllegalArgumentException("node names are node1, node2, ...: " + nodeName);
    }
    int i = Integer.parseInt(nodeName.substring(4));
    checkNode(i);
    return i;
  }

  public static String nodeName(int node) {
    return "node" + node;
  }

  public static String nodeAddress(int node) {
    checkNode(node);
    return "10.240.0." + (10 + node);
  }

  public static String podCidr(int node) {
    checkNode(node);
    return "10.241." + node + ".0/24";
  }

  public static String podGateway(int node) {
    checkNode(node);
    return "10.241." + node + ".1";
  }

  /** The pod address with the given host part (2..254) on a node. */
  public static String podAddress(int node, int host) {
    checkNode(node);
    if (host < 2 || host > 254) {
      throw new IllegalArgumentException("pod host part out of range: " + host);
    }
    return "10.241." + node + "." + host;
  }

  public String podNetns(String namespace, String pod) {
    return prefix + "-" + namespace + "-" + pod;
  }

  /** The node-side veth name of a pod, unique within its node netns. */
  public static String podVeth(int host) {
    return "vp" + host;
  }

  private static void checkNode(int node) {
    if (node < 1 || node > MAX_NODES) {
      throw new IllegalArgumentException("node index out of range 1.." + MAX_NODES + ": " + node);
    }
  }
}
