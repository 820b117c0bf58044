package dev.ambit.transport.hbone;

import dev.ambit.transport.identity.SpiffeId;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;

/**
 * Where an HBONE tunnel goes.
 *
 * @param proxyAddress the HBONE endpoint to open TLS to (a ztunnel or waypoint, port 15008)
 * @param authority the CONNECT {@code :authority}: {@code ip:port} (IPv6 as {@code [ip]:port}) of
 *     the final target; see {@link Authority#format}
 * @param expectedIdentities the server must prove one of these; an empty set fails every connect
 * @param headers extra request headers (lower-case names), e.g. {@code forwarded}, {@code baggage},
 *     {@code traceparent}; they do not influence pooling
 */
public record HboneTarget(
    InetSocketAddress proxyAddress,
    String authority,
    Set<SpiffeId> expectedIdentities,
    Map<String, String> headers) {

  public HboneTarget {
    if (proxyAddress == null || authority == null || expectedIdentities == null) {
      throw new IllegalArgumentException(
          "proxyAddress, authority and expectedIdentities are required");
    }
    expectedIdentities = Set.copyOf(expectedIdentities);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** A target without extra headers. */
  public HboneTarget(
      InetSocketAddress proxyAddress, InetSocketAddress target, Set<SpiffeId> expectedIdentities) {
    this(proxyAddress, Authority.format(target), expectedIdentities, Map.of());
  }
}
