package dev.ambit.transport.hbone;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The {@code ip:port} form of an HBONE {@code :authority}; never resolves names. */
public final class Authority {

  private Authority() {}

  /** {@code 10.0.0.1:80} or {@code [fd00::1]:80}. */
  public static String format(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      throw new IllegalArgumentException("unresolved address has no IP: " + address);
    }
    String host = ip.getHostAddress();
    int percent = host.indexOf('%');
    if (percent >= 0) {
      host = host.substring(0, percent);
    }
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * Parses an IP literal and port (1..65535): {@code a.b.c.d:port} or {@code [v6]:port}. Host names
   * are rejected (empty).
   */
  public static Optional<InetSocketAddress> parse(String authority) {
    if (authority == null) {
      return Optional.empty();
    }
    int colon = authority.lastIndexOf(':');
    if (colon <= 0 || colon == authority.length() - 1) {
      return Optional.empty();
    }
    String host = authority.substring(0, colon);
    String portText = authority.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!NetUtil.isValidIpV6Address(host)) {
        return Optional.empty();
      }
    } else if (!NetUtil.isValidIpV4Address(host)) {
      return Optional.empty();
    }
    if (portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      return Optional.empty();
    }
    InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
    return ip == null ? Optional.empty() : Optional.of(new InetSocketAddress(ip, port));
  }
}
