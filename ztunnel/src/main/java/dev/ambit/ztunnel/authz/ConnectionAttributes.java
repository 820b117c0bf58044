package dev.ambit.ztunnel.authz;

import java.net.InetAddress;

/**
 * What L4 policy looks at for one connection, computed once when the connection is accepted.
 *
 * @param sourceIp raw bytes of the peer's address
 * @param sourcePrincipal the peer's principal without the {@code spiffe://} scheme ({@code
 *     td/ns/NS/sa/SA}), or the empty string for a plaintext peer
 * @param sourceNamespace the namespace in the peer's identity, or the empty string
 * @param destinationIp raw bytes of the destination address
 * @param destinationPort the destination port
 */
public record ConnectionAttributes(
    byte[] sourceIp,
    String sourcePrincipal,
    String sourceNamespace,
    byte[] destinationIp,
    int destinationPort) {

  private static final String SCHEME = "spiffe://";

  /**
   * Attributes of a connection from {@code source} to {@code destination}:{@code port}, where the
   * peer proved {@code spiffeId} ({@code spiffe://td/ns/NS/sa/SA}) or {@code null} for plaintext.
   */
  public static ConnectionAttributes of(
      InetAddress source, String spiffeId, InetAddress destination, int port) {
    String principal = "";
    String namespace = "";
    if (spiffeId != null && !spiffeId.isEmpty()) {
      principal = spiffeId.startsWith(SCHEME) ? spiffeId.substring(SCHEME.length()) : spiffeId;
      String[] parts = principal.split("/");
      if (parts.length == 5 && parts[1].equals("ns") && parts[3].equals("sa")) {
        namespace = parts[2];
      }
    }
    return new ConnectionAttributes(
        source.getAddress(), principal, namespace, destination.getAddress(), port);
  }

  /** True when the peer presented a verified identity. */
  public boolean authenticated() {
    return !sourcePrincipal.isEmpty();
  }
}
