package dev.ambit.waypoint.config;

import dev.ambit.waypoint.lb.Algorithm;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A mesh Service as the waypoint sees it.
 *
 * @param waypoint the VIP of the waypoint the service is bound to, if any
 * @param loadBalancer how requests are spread over the service's endpoints
 */
public record ServiceInfo(
    String namespace,
    String name,
    String hostname,
    List<InetAddress> vips,
    List<ServicePort> ports,
    Optional<InetAddress> waypoint,
    Algorithm loadBalancer) {

  public ServiceInfo {
    vips = List.copyOf(vips);
    ports = List.copyOf(ports);
  }

  /** The xDS key of the service, also the key of {@code Workload.services}: "ns/hostname". */
  public String key() {
    return namespace + "/" + hostname;
  }

  public Optional<ServicePort> port(int servicePort) {
    for (ServicePort p : ports) {
      if (p.servicePort() == servicePort) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** A port of the service; a target port of 0 means "same as the service port". */
  public record ServicePort(int servicePort, int targetPort) {
    public int effectiveTarget() {
      return targetPort == 0 ? servicePort : targetPort;
    }
  }
}
