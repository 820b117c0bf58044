package dev.ambit.waypoint.config;

import com.google.protobuf.ByteString;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.NetworkAddress;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.PortList;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.Workload;
import dev.ambit.proto.workload.WorkloadStatus;
import dev.ambit.waypoint.lb.Algorithm;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Immutable index of services and workloads built from {@code istio.workload.Address} resources.
 */
public final class MeshView {

  private static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

  private final Map<InetAddress, ServiceInfo> servicesByVip = new HashMap<>();
  private final Map<String, ServiceInfo> servicesByName = new HashMap<>();
  private final Map<String, List<Workload>> workloadsByService = new HashMap<>();
  private final Map<InetAddress, Workload> workloadsByIp = new HashMap<>();

  /** {@link #endpoints} computed once per service (instance) and port: every request asks. */
  private final ConcurrentHashMap<EndpointsKey, List<Endpoint>> endpointsCache =
      new ConcurrentHashMap<>();

  private record EndpointsKey(ServiceInfo service, int port) {
    @Override
    public boolean equals(Object o) {
      return o instanceof EndpointsKey k && k.service == service && k.port == port;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(service) * 31 + port;
    }
  }

  private MeshView() {}

  public static MeshView empty() {
    return new MeshView();
  }

  public static MeshView of(Collection<Address> addresses) {
    MeshView view = new MeshView();
    for (Address a : addresses) {
      if (a.hasService()) {
        view.addService(a.getService());
      }
    }
    for (Address a : addresses) {
      if (a.hasWorkload()) {
        view.addWorkload(a.getWorkload());
      }
    }
    return view;
  }

  private void addService(Service s) {
    List<InetAddress> vips = new ArrayList<>();
    for (NetworkAddress na : s.getAddressesList()) {
      ip(na.getAddress()).ifPresent(vips::add);
    }
    List<ServiceInfo.ServicePort> ports = new ArrayList<>();
    for (Port p : s.getPortsList()) {
      ports.add(new ServiceInfo.ServicePort(p.getServicePort(), p.getTargetPort()));
    }
    Optional<InetAddress> waypoint =
        s.hasWaypoint() && s.getWaypoint().hasAddress()
            ? ip(s.getWaypoint().getAddress().getAddress())
            : Optional.empty();
    ServiceInfo info =
        new ServiceInfo(
            s.getNamespace(),
            s.getName(),
            s.getHostname(),
            vips,
            ports,
            waypoint,
            Algorithm.of(s.getAmbitLoadBalancer()));
    servicesByName.put(s.getNamespace() + "/" + s.getName(), info);
    for (InetAddress vip : vips) {
      servicesByVip.put(vip, info);
    }
  }

  private void addWorkload(Workload w) {
    for (String serviceKey : w.getServicesMap().keySet()) {
      workloadsByService.computeIfAbsent(serviceKey, k -> new ArrayList<>()).add(w);
    }
    for (ByteString b : w.getAddressesList()) {
      ip(b).ifPresent(addr -> workloadsByIp.put(addr, w));
    }
  }

  /** The uids of every workload, to forget state of workloads that are gone. */
  public java.util.Set<String> workloadUids() {
    java.util.Set<String> uids = new java.util.HashSet<>();
    workloadsByIp.values().forEach(w -> uids.add(w.getUid()));
    workloadsByService.values().forEach(l -> l.forEach(w -> uids.add(w.getUid())));
    return uids;
  }

  public Optional<ServiceInfo> serviceByVip(InetAddress vip) {
    return Optional.ofNullable(servicesByVip.get(vip));
  }

  public Optional<ServiceInfo> service(String namespace, String name) {
    return Optional.ofNullable(servicesByName.get(namespace + "/" + name));
  }

  /** The workload owning an address, e.g. to name the source of a request. */
  public Optional<Workload> workload(InetAddress ip) {
    return Optional.ofNullable(workloadsByIp.get(ip));
  }

  /** A workload addressed directly by one of its IPs (traffic to a waypoint-bound workload). */
  public Optional<Endpoint> workloadEndpoint(InetAddress ip, int port) {
    Workload w = workloadsByIp.get(ip);
    return w == null ? Optional.empty() : Optional.of(endpoint(w, ip, port));
  }

  /** Every endpoint (pod address and target port) backing the given service port. */
  public List<Endpoint> endpoints(ServiceInfo service, int servicePort) {
    EndpointsKey key = new EndpointsKey(service, servicePort);
    List<Endpoint> cached = endpointsCache.get(key);
    if (cached == null) {
      cached = endpointsCache.computeIfAbsent(key, k -> computeEndpoints(service, servicePort));
    }
    return cached;
  }

  private List<Endpoint> computeEndpoints(ServiceInfo service, int servicePort) {
    Optional<ServiceInfo.ServicePort> sp = service.port(servicePort);
    if (sp.isEmpty()) {
      return List.of();
    }
    List<Endpoint> out = new ArrayList<>();
    for (Workload w : workloadsByService.getOrDefault(service.key(), List.of())) {
      int target = targetPort(w.getServicesMap().get(service.key()), sp.get());
      for (ByteString b : w.getAddressesList()) {
        ip(b).ifPresent(addr -> out.add(endpoint(w, addr, target)));
      }
    }
    return List.copyOf(out);
  }

  private static int targetPort(PortList ports, ServiceInfo.ServicePort sp) {
    if (ports != null) {
      for (Port p : ports.getPortsList()) {
        if (p.getServicePort() == sp.servicePort() && p.getTargetPort() != 0) {
          return p.getTargetPort();
        }
      }
    }
    return sp.effectiveTarget();
  }

  private static Endpoint endpoint(Workload w, InetAddress addr, int port) {
    return new Endpoint(
        w.getUid(),
        w.getWorkloadName().isEmpty() ? w.getName() : w.getWorkloadName(),
        w.getNamespace(),
        identity(w),
        addr,
        port,
        w.getStatus() == WorkloadStatus.HEALTHY);
  }

  /** The SPIFFE id of a workload: spiffe://td/ns/NS/sa/SA with the usual defaults. */
  public static String identity(Workload w) {
    String td = w.getTrustDomain().isEmpty() ? DEFAULT_TRUST_DOMAIN : w.getTrustDomain();
    String sa = w.getServiceAccount().isEmpty() ? "default" : w.getServiceAccount();
    return "spiffe://" + td + "/ns/" + w.getNamespace() + "/sa/" + sa;
  }

  private static Optional<InetAddress> ip(ByteString bytes) {
    if (bytes.size() != 4 && bytes.size() != 16) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(bytes.toByteArray()));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
