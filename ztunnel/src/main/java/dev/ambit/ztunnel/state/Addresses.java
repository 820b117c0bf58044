package dev.ambit.ztunnel.state;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Conversions between the wire form of IP addresses (raw bytes) and {@link InetAddress}. */
public final class Addresses {

  private Addresses() {}

  /**
   * The address in {@code bytes}, 4 bytes for IPv4 and 16 for IPv6.
   *
   * @throws IllegalArgumentException when the length is neither
   */
  public static InetAddress of(ByteString bytes) {
    return of(bytes.toByteArray());
  }

  /** Same as {@link #of(ByteString)} for a plain array. */
  public static InetAddress of(byte[] raw) {
    if (raw.length != 4 && raw.length != 16) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + raw.length);
    }
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The wire form of {@code address}. */
  public static ByteString bytes(InetAddress address) {
    return ByteString.copyFrom(address.getAddress());
  }

  /** Parses a literal IP address (never a host name: no DNS lookup happens). */
  public static InetAddress parseLiteral(String literal) {
    if (literal.isEmpty() || !(literal.contains(":") || Character.isDigit(literal.charAt(0)))) {
      throw new IllegalArgumentException("not an IP address: " + literal);
    }
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (!(Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '[' || c == ']')) {
        throw new IllegalArgumentException("not an IP address: " + literal);
      }
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + literal, e);
    }
  }
}
