package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link EndpointClient} per endpoint and protocol, created on first use. */
final class EndpointClients implements AutoCloseable {

  private final UpstreamConnector connector;
  private final Duration idleTimeout;
  private final ConcurrentHashMap<String, EndpointClient> clients = new ConcurrentHashMap<>();

  EndpointClients(UpstreamConnector connector, Duration idleTimeout) {
    this.connector = connector;
    this.idleTimeout = idleTimeout;
  }

  EndpointClient client(Endpoint e, Protocol protocol) {
    String key = protocol + " " + e.key();
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
              String epKey = en.getKey().substring(en.getKey().indexOf(' ') + 1);
              if (uids.contains(Endpoint.uidOf(epKey))) {
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
