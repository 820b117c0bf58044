package dev.ambit.waypoint.authz;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block ("10.0.0.0/8", or a single address) and membership test. */
record Cidr(byte[] network, int prefixBits) {

  static Cidr parse(String s) {
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes;
    try {
      if (!addr.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("not an IP block: " + s);
      }
      bytes = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP block: " + s, e);
    }
    int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
    if (bits < 0 || bits > bytes.length * 8) {
      throw new IllegalArgumentException("bad prefix length: " + s);
    }
    return new Cidr(bytes, bits);
  }

  boolean contains(InetAddress ip) {
    byte[] b = ip.getAddress();
    if (b.length != network.length) {
      return false;
    }
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (b[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (b[full] & mask) == (network[full] & mask);
  }
}
