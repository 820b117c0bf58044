package dev.ambit.ztunnel.state;

import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.Service;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A service as the data path sees it: the proto plus its parsed VIPs, ports and waypoint. */
public record ServiceInfo(
    Service proto, List<InetAddress> vips, Map<Integer, Integer> ports, WaypointRef waypoint) {

  /** Derives the view of {@code proto}; fails on malformed addresses. */
  public static ServiceInfo of(Service proto) {
    List<InetAddress> vips =
        proto.getAddressesList().stream().map(a -> Addresses.of(a.getAddress())).toList();
    Map<Integer, Integer> ports = new HashMap<>();
    for (Port p : proto.getPortsList()) {
      ports.put(p.getServicePort(), p.getTargetPort());
    }
    WaypointRef waypoint = proto.hasWaypoint() ? WaypointRef.of(proto.getWaypoint()) : null;
    return new ServiceInfo(proto, vips, Map.copyOf(ports), waypoint);
  }

  /** The xDS resource name and the key workloads use to name it: "namespace/hostname". */
  public String key() {
    return key(proto);
  }

  static String key(Service proto) {
    return proto.getNamespace() + "/" + proto.getHostname();
  }

  public String name() {
    return proto.getName();
  }

  public String namespace() {
    return proto.getNamespace();
  }

  public String hostname() {
    return proto.getHostname();
  }

  /** The service's own target port for {@code servicePort}, or {@code 0} when none is declared. */
  public int targetPort(int servicePort) {
    Integer target = ports.get(servicePort);
    return target == null ? 0 : target;
  }
}
