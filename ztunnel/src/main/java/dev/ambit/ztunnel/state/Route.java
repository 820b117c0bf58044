package dev.ambit.ztunnel.state;

import java.net.InetSocketAddress;
import java.util.Set;

/** Where an outbound connection goes, as decided by {@link DestinationResolver}. */
public sealed interface Route {

  /**
   * Through HBONE: connect to {@code proxy} (a ztunnel or waypoint at ip:15008), verify that it
   * presents one of {@code expectedIdentities}, and CONNECT to {@code authority}.
   *
   * @param destination the destination workload, or null when going to a service's waypoint
   * @param service the service that was addressed, or null when a pod IP was addressed
   * @param waypoint the waypoint workload when the connection goes through one, else null
   */
  record Hbone(
      InetSocketAddress proxy,
      InetSocketAddress authority,
      Set<String> expectedIdentities,
      WorkloadInfo destination,
      ServiceInfo service,
      WorkloadInfo waypoint)
      implements Route {}

  /**
   * Plain TCP to {@code target}: a destination outside the mesh.
   *
   * @param destination the workload at the target when it is known (but not in the mesh)
   * @param service the service that was addressed, or null
   */
  record Passthrough(InetSocketAddress target, WorkloadInfo destination, ServiceInfo service)
      implements Route {}

  /** No way to reach the destination (for example, a service with no healthy endpoint). */
  record Unreachable(String reason) implements Route {}
}
