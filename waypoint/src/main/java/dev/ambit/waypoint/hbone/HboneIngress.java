package dev.ambit.waypoint.hbone;

import dev.ambit.transport.hbone.HboneRequest;
import dev.ambit.transport.hbone.HboneStream;
import dev.ambit.transport.hbone.HboneStreamHandler;
import dev.ambit.waypoint.proxy.Downstream;
import dev.ambit.waypoint.proxy.FlushMerging;
import dev.ambit.waypoint.proxy.WaypointProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound HBONE streams: the client's verified identity and the tunnel's target decide whether the
 * waypoint serves the stream; served streams are accepted and handed to the proxy, others get 400
 * (never forwarded anywhere: fail closed).
 */
public final class HboneIngress implements HboneStreamHandler {

  private static final Logger LOG = LoggerFactory.getLogger(HboneIngress.class);
  private static final Pattern FORWARDED_FOR =
      Pattern.compile(
          "(?i)(?:^|[;,\\s])for=\"?(?:(\\d{1,3}(?:\\.\\d{1,3}){3})(?::\\d+)?|\\[([0-9a-f:.]+)\\](?::\\d+)?)\"?");

  /**
   * The tunnels (CONNECT streams) one client connection may carry at once, advertised as
   * SETTINGS_MAX_CONCURRENT_STREAMS. One TLS connection and all its tunnels are served by one event
   * loop, requests and their upstream streams included; a client with many tunnels (a node's
   * ztunnel) opens a connection per this many, and accepted connections spread over the loops.
   */
  public static final int MAX_TUNNELS_PER_CONNECTION = 8;

  private final WaypointProxy proxy;

  public HboneIngress(WaypointProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void handle(HboneStream stream) {
    HboneRequest r = stream.request();
    Optional<Downstream> d =
        proxy.resolve(r.target(), r.peer().uri(), sourceAddress(r), r.traceparent());
    if (d.isEmpty()) {
      LOG.debug("rejecting tunnel from {} to {}: not served here", r.peer().uri(), r.target());
      stream.reject(400);
      return;
    }
    stream.accept();
    FlushMerging.onConnectionOf(stream.channel());
    proxy.serve(stream.channel(), d.get());
  }

  /** The original client: the {@code forwarded: for=} address, else the tunnel's peer. */
  static InetAddress sourceAddress(HboneRequest r) {
    String fwd = r.forwarded();
    if (fwd != null) {
      Matcher m = FORWARDED_FOR.matcher(fwd);
      if (m.find()) {
        try {
          // IP literals only (the pattern admits nothing else), so no name lookup happens.
          return InetAddress.getByName(m.group(1) != null ? m.group(1) : m.group(2));
        } catch (UnknownHostException e) {
          LOG.debug("unusable forwarded header {}", fwd);
        }
      }
    }
    return r.peerAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
  }
}
