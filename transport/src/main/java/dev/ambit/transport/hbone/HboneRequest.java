package dev.ambit.transport.hbone;

import dev.ambit.transport.identity.SpiffeId;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/**
 * One inbound HBONE CONNECT, as seen by an {@link HboneStreamHandler}.
 *
 * @param target the {@code :authority} parsed as {@code ip:port}
 * @param peer the client's SPIFFE id, verified during the TLS handshake
 * @param peerAddress the remote address of the TLS connection
 * @param localAddress the local address of the TLS connection (with TPROXY: the original
 *     destination)
 * @param headers the regular (non-pseudo) request headers, names lower case; the last value wins
 */
public record HboneRequest(
    InetSocketAddress target,
    SpiffeId peer,
    SocketAddress peerAddress,
    SocketAddress localAddress,
    Map<String, String> headers) {

  public HboneRequest {
    headers = Map.copyOf(headers);
  }

  /** The {@code forwarded} header (the original source), or null. */
  public String forwarded() {
    return headers.get("forwarded");
  }

  /** The {@code baggage} header, or null. */
  public String baggage() {
    return headers.get("baggage");
  }

  /** The {@code traceparent} header, or null. */
  public String traceparent() {
    return headers.get("traceparent");
  }
}
