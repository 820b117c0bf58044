package dev.ambit.ztunnel.authz;

import dev.ambit.proto.security.Address;

/** An IPv4 or IPv6 prefix, tested against raw address bytes without allocating. */
record Cidr(byte[] network, int length) {

  /** Compiles {@code address}; refuses lengths that do not fit the address family. */
  static Cidr of(Address address) {
    byte[] bytes = address.getAddress().toByteArray();
    if (bytes.length != 4 && bytes.length != 16) {
      throw new IllegalArgumentException("CIDR address has " + bytes.length + " bytes");
    }
    int max = bytes.length * 8;
    int length = address.getLength();
    if (length > max) {
      throw new IllegalArgumentException("CIDR prefix length " + length + " exceeds " + max);
    }
    return new Cidr(bytes, length);
  }

  boolean contains(byte[] ip) {
    if (ip.length != network.length) {
      return false;
    }
    int full = length >>> 3;
    for (int i = 0; i < full; i++) {
      if (ip[i] != network[i]) {
        return false;
      }
    }
    int rest = length & 7;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (ip[full] & mask) == (network[full] & mask);
  }
}
