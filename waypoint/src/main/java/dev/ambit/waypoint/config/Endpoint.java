package dev.ambit.waypoint.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One destination pod port chosen for a request: where to send it and whom to expect there.
 *
 * @param uid workload uid
 * @param identity SPIFFE id (URI form) the pod must present
 */
public record Endpoint(
    String uid,
    String workloadName,
    String namespace,
    String identity,
    InetAddress address,
    int port,
    boolean healthy) {

  /** The uid part of a {@link #key()}. */
  public static String uidOf(String key) {
    int at = key.lastIndexOf('@');
    return at < 0 ? key : key.substring(0, at);
  }

  /** Stable key for per-endpoint state (load, health) across config snapshots. */
  public String key() {
    return uid + "@" + address.getHostAddress() + ":" + port;
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** The HBONE :authority for this endpoint, "ip:port". */
  public String authority() {
    String host = address.getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
