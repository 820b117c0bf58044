package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.ServiceInfo;
import java.net.InetAddress;

/**
 * One accepted downstream stream: who sent it and what it was addressed to.
 *
 * @param principal the client's verified SPIFFE id (URI form)
 * @param sourceIp the original client address (from {@code forwarded}, else the peer)
 * @param service the Service addressed by VIP, or null when a workload was addressed directly
 * @param port the port the client addressed (service port, or the workload's port)
 * @param workload the workload addressed directly, or null
 * @param traceparent the tunnel's traceparent header, or null
 */
public record Downstream(
    String principal,
    InetAddress sourceIp,
    ServiceInfo service,
    int port,
    Endpoint workload,
    String traceparent) {

  /** "ns/name" of the addressed service, for logs. */
  public String destinationName() {
    return service != null ? service.namespace() + "/" + service.name() : workload.key();
  }
}
