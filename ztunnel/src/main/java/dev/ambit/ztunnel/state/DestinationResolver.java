package dev.ambit.ztunnel.state;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Decides where an outbound connection goes. A service VIP goes to the service's waypoint when it
 * has one (the VIP stays the {@code :authority}), otherwise to a healthy endpoint picked at random;
 * a pod IP goes to that pod, or to its workload waypoint; a mesh destination is reached through
 * HBONE on its port 15008; everything else passes through as plain TCP. Among several waypoint
 * replicas or service endpoints, those whose address the caller asks to avoid (it failed to connect
 * to them) are picked only when no other is left.
 */
public final class DestinationResolver {

  public static final int HBONE_PORT = 15008;

  private DestinationResolver() {}

  /** Resolves {@code target} for a connection from {@code source} (null when unknown). */
  public static Route resolve(StateSnapshot state, WorkloadInfo source, InetSocketAddress target) {
    return resolve(state, source, target, ip -> false);
  }

  /**
   * Resolves {@code target} for a connection from {@code source} (null when unknown), picking a
   * waypoint replica or service endpoint whose address {@code avoid} accepts only when every
   * healthy one is avoided.
   */
  public static Route resolve(
      StateSnapshot state,
      WorkloadInfo source,
      InetSocketAddress target,
      Predicate<InetAddress> avoid) {
    InetAddress ip = target.getAddress();
    ServiceInfo service = state.serviceByVip(ip);
    if (service != null) {
      return toService(state, source, service, target, avoid);
    }
    WorkloadInfo workload = state.workloadByIp(ip);
    if (workload != null) {
      return toWorkload(state, source, workload, target, null, avoid);
    }
    return new Route.Passthrough(target, null, null);
  }

  private static Route toService(
      StateSnapshot state,
      WorkloadInfo source,
      ServiceInfo service,
      InetSocketAddress target,
      Predicate<InetAddress> avoid) {
    if (service.waypoint() != null) {
      Route viaWaypoint =
          viaWaypoint(state, source, service.waypoint(), target, null, service, avoid);
      if (viaWaypoint != null) {
        return viaWaypoint;
      }
    }
    int port = target.getPort();
    List<WorkloadInfo> healthy = new ArrayList<>();
    for (WorkloadInfo w : state.endpoints(service.key())) {
      if (w.healthy() && !w.addresses().isEmpty()) {
        healthy.add(w);
      }
    }
    if (healthy.isEmpty()) {
      return new Route.Unreachable("service " + service.key() + " has no healthy endpoint");
    }
    WorkloadInfo chosen = pick(healthy, target.getAddress(), avoid);
    int targetPort = chosen.targetPort(service.key(), port);
    if (targetPort == 0) {
      targetPort = service.targetPort(port);
    }
    if (targetPort == 0) {
      targetPort = port;
    }
    InetSocketAddress endpoint =
        new InetSocketAddress(sameFamily(chosen.addresses(), target.getAddress()), targetPort);
    return direct(chosen, endpoint, service);
  }

  private static Route toWorkload(
      StateSnapshot state,
      WorkloadInfo source,
      WorkloadInfo workload,
      InetSocketAddress target,
      ServiceInfo service,
      Predicate<InetAddress> avoid) {
    if (workload.waypoint() != null) {
      Route viaWaypoint =
          viaWaypoint(state, source, workload.waypoint(), target, workload, null, avoid);
      if (viaWaypoint != null) {
        return viaWaypoint;
      }
    }
    return direct(workload, target, service);
  }

  private static Route direct(
      WorkloadInfo workload, InetSocketAddress target, ServiceInfo service) {
    if (!workload.inMesh()) {
      return new Route.Passthrough(target, workload, service);
    }
    return new Route.Hbone(
        new InetSocketAddress(target.getAddress(), HBONE_PORT),
        target,
        Set.of(workload.identity()),
        workload,
        service,
        null);
  }

  /**
   * A route through the waypoint {@code ref}, or null when the source is itself one of the
   * waypoint's workloads (the waypoint's own traffic goes straight to the destination). A waypoint
   * with no healthy workload makes the destination unreachable: never bypass it.
   */
  private static Route viaWaypoint(
      StateSnapshot state,
      WorkloadInfo source,
      WaypointRef ref,
      InetSocketAddress target,
      WorkloadInfo destination,
      ServiceInfo service,
      Predicate<InetAddress> avoid) {
    List<WorkloadInfo> waypoints = state.waypointWorkloads(ref);
    if (source != null) {
      for (WorkloadInfo w : waypoints) {
        if (w.uid().equals(source.uid())) {
          return null;
        }
      }
    }
    List<WorkloadInfo> healthy = new ArrayList<>();
    for (WorkloadInfo w : waypoints) {
      if (w.healthy() && !w.addresses().isEmpty()) {
        healthy.add(w);
      }
    }
    if (healthy.isEmpty()) {
      return new Route.Unreachable("waypoint " + ref + " has no healthy workload");
    }
    WorkloadInfo chosen = pick(healthy, target.getAddress(), avoid);
    return new Route.Hbone(
        new InetSocketAddress(sameFamily(chosen.addresses(), target.getAddress()), ref.hbonePort()),
        target,
        Set.of(chosen.identity()),
        destination,
        service,
        chosen);
  }

  /** A random one of {@code healthy}, among those whose address is not avoided when possible. */
  private static WorkloadInfo pick(
      List<WorkloadInfo> healthy, InetAddress like, Predicate<InetAddress> avoid) {
    int allowed = 0;
    for (WorkloadInfo w : healthy) {
      if (!avoid.test(sameFamily(w.addresses(), like))) {
        allowed++;
      }
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (allowed == 0 || allowed == healthy.size()) {
      return healthy.get(random.nextInt(healthy.size()));
    }
    int n = random.nextInt(allowed);
    for (WorkloadInfo w : healthy) {
      if (!avoid.test(sameFamily(w.addresses(), like)) && n-- == 0) {
        return w;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  private static InetAddress sameFamily(List<InetAddress> addresses, InetAddress like) {
    for (InetAddress a : addresses) {
      if (a.getClass() == like.getClass()) {
        return a;
      }
    }
    return addresses.getFirst();
  }

  /**
   * The identities allowed to send HBONE to {@code destination}: when the workload is bound to a
   * waypoint, only that waypoint's workloads; otherwise null (any mesh identity, subject to L4
   * policy).
   */
  public static Set<String> requiredPeerIdentities(StateSnapshot state, WorkloadInfo destination) {
    if (destination.waypoint() == null) {
      return null;
    }
    List<WorkloadInfo> waypoints = state.waypointWorkloads(destination.waypoint());
    java.util.HashSet<String> ids = new java.util.HashSet<>();
    for (WorkloadInfo w : waypoints) {
      ids.add(w.identity());
    }
    return Set.copyOf(ids);
  }
}
