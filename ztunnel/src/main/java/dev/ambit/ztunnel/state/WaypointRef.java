package dev.ambit.ztunnel.state;

import dev.ambit.proto.workload.GatewayAddress;
import java.net.InetAddress;

/**
 * Where a waypoint is reached: either by the VIP of its Service (the usual form) or by a namespaced
 * host name naming that Service. {@code hbonePort} is the waypoint's HBONE port.
 */
public record WaypointRef(InetAddress address, String serviceKey, int hbonePort) {

  static final int DEFAULT_HBONE_PORT = 15008;

  /** The reference in {@code gateway}, or {@code null} when no destination is set. */
  static WaypointRef of(GatewayAddress gateway) {
    int port = gateway.getHboneMtlsPort() == 0 ? DEFAULT_HBONE_PORT : gateway.getHboneMtlsPort();
    return switch (gateway.getDestinationCase()) {
      case ADDRESS -> new WaypointRef(Addresses.of(gateway.getAddress().getAddress()), null, port);
      case HOSTNAME ->
          new WaypointRef(
              null,
              gateway.getHostname().getNamespace() + "/" + gateway.getHostname().getHostname(),
              port);
      case DESTINATION_NOT_SET -> null;
    };
  }

  @Override
  public String toString() {
    return (address != null ? address.getHostAddress() : serviceKey) + ":" + hbonePort;
  }
}
