package dev.ambit.ztunnel.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * Policies keyed by source address blocks, as a binary trie per address family: looking up an
 * address walks at most 32 (IPv4) or 128 (IPv6) nodes and tries the policies of every block that
 * contains it. Built once, then read-only; lookups allocate nothing.
 */
final class CidrTrie {

  private static final CompiledPolicy[] NONE = new CompiledPolicy[0];

  private static final class Node {
    Node zero;
    Node one;
    List<CompiledPolicy> adding = new ArrayList<>();
    CompiledPolicy[] policies = NONE;
  }

  private final Node v4 = new Node();
  private final Node v6 = new Node();
  private boolean empty = true;

  /** Adds {@code policy} under {@code block} (building only). */
  void add(Cidr block, CompiledPolicy policy) {
    Node n = block.network().length == 4 ? v4 : v6;
    for (int i = 0; i < block.length(); i++) {
      if (Cidr.bit(block.network(), i)) {
        n = n.one != null ? n.one : (n.one = new Node());
      } else {
        n = n.zero != null ? n.zero : (n.zero = new Node());
      }
    }
    if (!n.adding.contains(policy)) {
      n.adding.add(policy);
    }
    empty = false;
  }

  /** Ends building. */
  CidrTrie freeze() {
    freeze(v4);
    freeze(v6);
    return this;
  }

  private static void freeze(Node n) {
    if (n == null) {
      return;
    }
    n.policies = n.adding.toArray(NONE);
    n.adding = null;
    freeze(n.zero);
    freeze(n.one);
  }

  /** The decision of the first policy under a block containing the source that matches, or null. */
  Decision first(ConnectionAttributes c) {
    if (empty) {
      return null;
    }
    byte[] ip = c.sourceIp();
    Node n = ip.length == 4 ? v4 : v6;
    int bits = ip.length * 8;
    for (int i = 0; n != null; i++) {
      Decision d = PolicyLookup.first(n.policies, c);
      if (d != null) {
        return d;
      }
      if (i == bits) {
        break;
      }
      n = Cidr.bit(ip, i) ? n.one : n.zero;
    }
    return null;
  }
}
