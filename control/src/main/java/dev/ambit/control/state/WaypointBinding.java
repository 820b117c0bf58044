package dev.ambit.control.state;

import com.google.protobuf.ByteString;
import dev.ambit.api.Resource;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.proto.workload.GatewayAddress;
import dev.ambit.proto.workload.NetworkAddress;
import java.util.Map;
import java.util.Optional;

/**
 * The waypoint an object uses: {@code istio.io/use-waypoint} (with {@code
 * istio.io/use-waypoint-namespace}) on the object wins over its namespace's; {@code none} disables.
 * The value names a Gateway of class {@code istio-waypoint}; the binding points at the VIP of the
 * waypoint's Service (same name) on port 15008.
 *
 * <p>The Gateway's label {@value #WAYPOINT_FOR} says which traffic it takes: {@code service}
 * (default: traffic addressed to a service VIP), {@code workload} (traffic addressed to a pod),
 * {@code all} or {@code none}. A service binds only to a waypoint for services, a workload only to
 * a waypoint for workloads; otherwise the object has no waypoint (a mismatch is reported when the
 * object itself names the waypoint).
 *
 * @param address the binding, or null
 * @param problem why a requested binding could not be made, or null
 * @param gateway "namespace/name" of the Gateway consulted, or null when none was asked for (the
 *     binding depends on that Gateway and its Service)
 */
record WaypointBinding(GatewayAddress address, String problem, String gateway) {

  static final String WAYPOINT_FOR = "istio.io/waypoint-for";
  static final WaypointBinding NONE = new WaypointBinding(null, null, null);

  /** Who asks: traffic addressed to a service, or to a workload. */
  enum Target {
    SERVICE("service"),
    WORKLOAD("workload");

    final String label;

    Target(String label) {
      this.label = label;
    }
  }

  static WaypointBinding resolve(
      ConfigSnapshot config,
      Map<String, String> own,
      Map<String, String> namespaceLabels,
      String ns,
      Target target) {
    if (own.containsKey(Labels.GATEWAY_NAME)) {
      return NONE;
    }
    Map<String, String> labels = own.containsKey(Labels.USE_WAYPOINT) ? own : namespaceLabels;
    String name = labels.get(Labels.USE_WAYPOINT);
    if (name == null || name.isEmpty() || name.equals(Labels.NONE)) {
      return NONE;
    }
    String gwNs = labels.getOrDefault(Labels.USE_WAYPOINT_NAMESPACE, ns);
    String ref = gwNs + "/" + name;
    Optional<Resource<GatewaySpec>> gw = config.get(GatewaySpec.class, gwNs, name);
    if (gw.isEmpty() || !gw.get().spec().isWaypoint()) {
      return new WaypointBinding(
          null, "waypoint " + ref + " does not exist (no Gateway of class istio-waypoint)", ref);
    }
    String serves = gw.get().metadata().labels().getOrDefault(WAYPOINT_FOR, "service");
    if (!serves.equals("all") && !serves.equals(target.label)) {
      if (labels != own) {
        return new WaypointBinding(null, null, ref); // the namespace's waypoint is not for this
      }
      return new WaypointBinding(
          null,
          "waypoint "
              + ref
              + " is for "
              + serves
              + " traffic ("
              + WAYPOINT_FOR
              + "), not "
              + target.label
              + " traffic",
          ref);
    }
    Optional<byte[]> vip =
        config.get(ServiceSpec.class, gwNs, name).flatMap(s -> ObjectTranslator.vip(s.spec()));
    if (vip.isEmpty()) {
      return new WaypointBinding(null, "waypoint " + ref + " has no address yet", ref);
    }
    return new WaypointBinding(
        GatewayAddress.newBuilder()
            .setAddress(NetworkAddress.newBuilder().setAddress(ByteString.copyFrom(vip.get())))
            .setHboneMtlsPort(MeshStateBuilder.HBONE_PORT)
            .build(),
        null,
        ref);
  }
}
