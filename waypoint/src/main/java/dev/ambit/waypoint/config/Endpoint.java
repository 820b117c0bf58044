package dev.ambit.waypoint.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One destination pod port chosen for a request: where to send it and whom to expect there. A value
 * (equal when all its parts are); its key and authority are computed once, since every request uses
 * them several times (load balancer state, pooled clients, limits).
 */
public final class Endpoint {

  private final String uid;
  private final String workloadName;
  private final String namespace;
  private final String identity;
  private final InetAddress address;
  private final int port;
  private final boolean healthy;
  private final String key;
  private final String authority;
  private final int hash;

  /**
   * @param uid workload uid
   * @param identity SPIFFE id (URI form) the pod must present
   */
  public Endpoint(
      String uid,
      String workloadName,
      String namespace,
      String identity,
      InetAddress address,
      int port,
      boolean healthy) {
    this.uid = uid;
    this.workloadName = workloadName;
    this.namespace = namespace;
    this.identity = identity;
    this.address = address;
    this.port = port;
    this.healthy = healthy;
    String host = address.getHostAddress();
    this.key = uid + "@" + host + ":" + port;
    this.authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    this.hash = Objects.hash(uid, workloadName, namespace, identity, address, port, healthy);
  }

  /** The uid part of a {@link #key()}. */
  public static String uidOf(String key) {
    int at = key.lastIndexOf('@');
    return at < 0 ? key : key.substring(0, at);
  }

  public String uid() {
    return uid;
  }

  public String workloadName() {
    return workloadName;
  }

  public String namespace() {
    return namespace;
  }

  public String identity() {
    return identity;
  }

  public InetAddress address() {
    return address;
  }

  public int port() {
    return port;
  }

  public boolean healthy() {
    return healthy;
  }

  /** Stable key for per-endpoint state (load, health) across config snapshots. */
  public String key() {
    return key;
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** The HBONE :authority for this endpoint, "ip:port". */
  public String authority() {
    return authority;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Endpoint e
        && hash == e.hash
        && port == e.port
        && healthy == e.healthy
        && Objects.equals(uid, e.uid)
        && Objects.equals(workloadName, e.workloadName)
        && Objects.equals(namespace, e.namespace)
        && Objects.equals(identity, e.identity)
        && Objects.equals(address, e.address);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "Endpoint[" + key + ", " + identity + (healthy ? "" : ", unhealthy") + "]";
  }
}
