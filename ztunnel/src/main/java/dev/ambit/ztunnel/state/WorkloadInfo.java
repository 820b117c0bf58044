package dev.ambit.ztunnel.state;

import com.google.protobuf.ByteString;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.PortList;
import dev.ambit.proto.workload.TunnelProtocol;
import dev.ambit.proto.workload.Workload;
import dev.ambit.proto.workload.WorkloadStatus;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A workload as the data path sees it: the proto plus the values derived from it once (parsed
 * addresses, SPIFFE identity, waypoint, per-service port maps).
 */
public record WorkloadInfo(
    Workload proto,
    List<InetAddress> addresses,
    String identity,
    WaypointRef waypoint,
    Map<String, Map<Integer, Integer>> servicePorts) {

  static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

  /** Derives the view of {@code proto}; fails on malformed addresses. */
  public static WorkloadInfo of(Workload proto) {
    List<InetAddress> addresses =
        proto.getAddressesList().stream().map((ByteString b) -> Addresses.of(b)).toList();
    String td = proto.getTrustDomain().isEmpty() ? DEFAULT_TRUST_DOMAIN : proto.getTrustDomain();
    String sa = proto.getServiceAccount().isEmpty() ? "default" : proto.getServiceAccount();
    String identity = "spiffe://" + td + "/ns/" + proto.getNamespace() + "/sa/" + sa;
    WaypointRef waypoint = proto.hasWaypoint() ? WaypointRef.of(proto.getWaypoint()) : null;
    Map<String, Map<Integer, Integer>> ports = new HashMap<>();
    for (Map.Entry<String, PortList> e : proto.getServicesMap().entrySet()) {
      Map<Integer, Integer> byServicePort = new HashMap<>();
      for (Port p : e.getValue().getPortsList()) {
        byServicePort.put(p.getServicePort(), p.getTargetPort());
      }
      ports.put(e.getKey(), Map.copyOf(byServicePort));
    }
    return new WorkloadInfo(proto, addresses, identity, waypoint, Map.copyOf(ports));
  }

  public String uid() {
    return proto.getUid();
  }

  public String name() {
    return proto.getName();
  }

  public String namespace() {
    return proto.getNamespace();
  }

  public String serviceAccount() {
    return proto.getServiceAccount().isEmpty() ? "default" : proto.getServiceAccount();
  }

  /** True when the workload speaks HBONE, that is, it is part of the mesh. */
  public boolean inMesh() {
    return proto.getTunnelProtocol() == TunnelProtocol.HBONE;
  }

  public boolean healthy() {
    return proto.getStatus() == WorkloadStatus.HEALTHY;
  }

  /** The workload (deployment) name used in telemetry, falling back to the pod name. */
  public String workloadName() {
    return proto.getWorkloadName().isEmpty() ? proto.getName() : proto.getWorkloadName();
  }

  /** The canonical service name used in telemetry, falling back to the workload name. */
  public String canonicalName() {
    return proto.getCanonicalName().isEmpty() ? workloadName() : proto.getCanonicalName();
  }

  /** The canonical revision used in telemetry, "latest" when unset. */
  public String canonicalRevision() {
    return proto.getCanonicalRevision().isEmpty() ? "latest" : proto.getCanonicalRevision();
  }

  /**
   * The port this workload listens on for {@code servicePort} of the service {@code serviceKey}, or
   * {@code 0} when the workload declares no mapping for it.
   */
  public int targetPort(String serviceKey, int servicePort) {
    Map<Integer, Integer> ports = servicePorts.get(serviceKey);
    if (ports == null) {
      return 0;
    }
    Integer target = ports.get(servicePort);
    return target == null ? 0 : target;
  }
}
