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

  /** Whether bit {@code i} (0 = the most significant bit of the first byte) of {@code ip} is 1. */
  static boolean bit(byte[] ip, int i) {
    return (ip[i >>> 3] & (0x80 >>> (i & 7))) != 0;
  }

  /** Equal when they cover the same addresses (bits past the prefix length do not count). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Cidr other)
        || other.length != length
        || other.network.length != network.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (bit(network, i) != bit(other.network, i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = network.length * 31 + length;
    for (int i = 0; i < length; i++) {
      h = h * 31 + (bit(network, i) ? 1 : 0);
    }
    return h;
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
