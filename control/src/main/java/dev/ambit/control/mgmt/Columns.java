package dev.ambit.control.mgmt;

import dev.ambit.api.Resource;
import dev.ambit.api.core.NamespaceSpec;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.gateway.HttpRouteSpec;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.control.state.Labels;
import dev.ambit.control.state.MeshState;
import dev.ambit.proto.control.Column;
import dev.ambit.proto.control.PodInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The table columns {@code ambit get} shows for each kind. */
final class Columns {

  private Columns() {}

  static List<Column> of(Resource<?> r, MeshState state, Waypoints waypoints) {
    List<Column> out = new ArrayList<>();
    switch (r.spec()) {
      case PodSpec pod -> {
        PodStatus st = r.status() instanceof PodStatus s ? s : null;
        PodInfo info = state.pods().get(r.namespace() + "/" + r.name());
        out.add(col("STATUS", st == null || st.phase() == null ? "Pending" : st.phase().name()));
        out.add(col("NODE", pod.nodeName() == null ? "" : pod.nodeName()));
        out.add(col("IP", st == null || st.podIP() == null ? "" : st.podIP()));
        out.add(wide("MESH", info != null && info.getAmbient() ? "ambient" : "none"));
        var w = info == null ? null : state.workloads().get(info.getUid());
        out.add(
            wide("WAYPOINT", w == null || !w.hasWaypoint() ? "" : waypoints.name(w.getWaypoint())));
      }
      case ServiceSpec svc -> {
        out.add(col("CLUSTER-IP", svc.clusterIP() == null ? "" : svc.clusterIP()));
        out.add(
            col(
                "PORTS",
                svc.ports().stream()
                    .map(p -> p.port() + "/" + (p.protocol() == null ? "TCP" : p.protocol().name()))
                    .collect(Collectors.joining(","))));
        var s =
            state
                .services()
                .get(
                    r.namespace()
                        + "/"
                        + dev.ambit.control.state.MeshStateBuilder.hostname(
                            r.namespace(), r.name()));
        out.add(
            wide("WAYPOINT", s == null || !s.hasWaypoint() ? "" : waypoints.name(s.getWaypoint())));
      }
      case NamespaceSpec ns -> {
        out.add(col("MESH", r.metadata().labels().getOrDefault(Labels.DATAPLANE_MODE, "")));
        out.add(col("WAYPOINT", r.metadata().labels().getOrDefault(Labels.USE_WAYPOINT, "")));
      }
      case GatewaySpec gw -> {
        out.add(col("CLASS", gw.gatewayClassName()));
        String vip =
            state
                .config()
                .get(ServiceSpec.class, r.namespace(), r.name())
                .map(s -> s.spec().clusterIP() == null ? "" : s.spec().clusterIP())
                .orElse("");
        out.add(col("ADDRESS", gw.isWaypoint() ? vip : ""));
      }
      case HttpRouteSpec route -> {
        out.add(col("HOSTNAMES", String.join(",", route.hostnames())));
        out.add(
            col(
                "PARENTS",
                route.parentRefs().stream()
                    .map(p -> p.effectiveKind().toLowerCase(java.util.Locale.ROOT) + "/" + p.name())
                    .collect(Collectors.joining(","))));
      }
      case AuthorizationPolicySpec p -> {
        out.add(col("ACTION", p.effectiveAction().name()));
        out.add(
            wide(
                "TARGETS",
                p.allTargetRefs().isEmpty()
                    ? (p.selector() == null ? "namespace" : "selector")
                    : p.allTargetRefs().stream()
                        .map(t -> t.kind().toLowerCase(java.util.Locale.ROOT) + "/" + t.name())
                        .collect(Collectors.joining(","))));
      }
      default -> {}
    }
    return out;
  }

  private static Column col(String name, String value) {
    return Column.newBuilder().setName(name).setValue(value).build();
  }

  private static Column wide(String name, String value) {
    return Column.newBuilder().setName(name).setValue(value).setWide(true).build();
  }
}
