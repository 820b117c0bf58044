package dev.ambit.waypoint.authz;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;

/**
 * What L7 authorization looks at for one request (or one TCP connection when {@code http} is false;
 * then method, path, host and headers are absent).
 *
 * @param principal the verified SPIFFE id of the client, e.g. spiffe://cluster.local/ns/a/sa/b
 * @param destinationPort the port the client addressed (the service port)
 */
public record AuthzRequest(
    String principal,
    InetAddress sourceIp,
    int destinationPort,
    boolean http,
    String method,
    String path,
    String host,
    HttpHeaders headers) {

  public static AuthzRequest tcp(String principal, InetAddress sourceIp, int destinationPort) {
    return new AuthzRequest(principal, sourceIp, destinationPort, false, null, null, null, null);
  }

  /** The principal as policies spell it: without the "spiffe://" scheme. */
  public String policyPrincipal() {
    if (principal == null) {
      return null;
    }
    return principal.startsWith("spiffe://")
        ? principal.substring("spiffe://".length())
        : principal;
  }

  /** The namespace in the principal, or null when there is no principal. */
  public String sourceNamespace() {
    String p = policyPrincipal();
    if (p == null) {
      return null;
    }
    int ns = p.indexOf("/ns/");
    if (ns < 0) {
      return null;
    }
    int end = p.indexOf('/', ns + 4);
    return end < 0 ? p.substring(ns + 4) : p.substring(ns + 4, end);
  }
}
