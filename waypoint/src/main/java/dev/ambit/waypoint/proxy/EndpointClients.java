package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link EndpointClient} per endpoint, protocol and event loop, created on first use. A request
 * uses the client of the loop it runs on, whose connections the connector opens on that loop (see
 * {@link UpstreamConnector}): the request, its upstream connection and both bodies stay on one
 * thread.
 */
final class EndpointClients implements AutoCloseable {

  private record Key(Protocol protocol, String endpoint, EventLoop loop) {}

  private final UpstreamConnector connector;
  private final Duration idleTimeout;
  private final ConcurrentHashMap<Key, EndpointClient> clients = new ConcurrentHashMap<>();

  EndpointClients(UpstreamConnector connector, Duration idleTimeout) {
    this.connector = connector;
    this.idleTimeout = idleTimeout;
  }

  /** The client of {@code e} for requests running on {@code loop}. */
  EndpointClient client(Endpoint e, Protocol protocol, EventLoop loop) {
    Key key = new Key(protocol, e.key(), loop);
    EndpointClient c = clients.get(key);
    if (c == null) {
      c =
          clients.computeIfAbsent(
              key,
              k ->
                  protocol == Protocol.HTTP2
                      ? new Http2EndpointClient(e, connector)
                      : new Http1EndpointClient(e, connector, idleTimeout));
    }
    return c;
  }

  /** Closes the clients of endpoints whose workload is no longer in the configuration. */
  void retainWorkloads(Set<String> uids) {
    clients
        .entrySet()
        .removeIf(
            en -> {
              if (uids.contains(Endpoint.uidOf(en.getKey().endpoint()))) {
                return false;
              }
              en.getValue().close();
              return true;
            });
  }

  @Override
  public void close() {
    clients.values().forEach(EndpointClient::close);
    clients.clear();
  }
}
