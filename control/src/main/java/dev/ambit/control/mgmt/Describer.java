package dev.ambit.control.mgmt;

import dev.ambit.api.Resource;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.control.state.Labels;
import dev.ambit.control.state.MeshState;
import dev.ambit.control.state.MeshStateBuilder;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.waypoint.TargetRef;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The text of {@code ambit describe pod|service}. */
final class Describer {

  private final MeshState state;
  private final Waypoints waypoints;

  Describer(MeshState state) {
    this.state = state;
    this.waypoints = new Waypoints(state);
  }

  String pod(Resource<PodSpec> pod) {
    String ns = pod.namespace();
    PodInfo info = state.pods().get(ns + "/" + pod.name());
    Workload w = info == null ? null : state.workloads().get(info.getUid());
    StringBuilder out = new StringBuilder();
    line(out, "Name", pod.name());
    line(out, "Namespace", ns);
    line(out, "Node", pod.spec().nodeName() == null ? "<not scheduled>" : pod.spec().nodeName());
    line(out, "IP", info == null || info.getPodIp().isEmpty() ? "<none>" : info.getPodIp());
    line(out, "Status", info == null || info.getPhase().isEmpty() ? "Pending" : info.getPhase());
    line(out, "Identity", info == null ? "" : info.getSpiffeId());
    line(out, "Mesh", membership(pod, info));
    line(
        out,
        "Waypoint",
        w != null && w.hasWaypoint()
            ? waypoints.name(w.getWaypoint()) + " (" + waypoints.address(w.getWaypoint()) + ")"
            : "<none>");
    List<String> services = new ArrayList<>();
    if (w != null) {
      w.getServicesMap()
          .forEach(
              (svc, ports) ->
                  services.add(
                      svc
                          + " "
                          + ports.getPortsList().stream()
                              .map(p -> p.getServicePort() + "->" + p.getTargetPort())
                              .toList()));
    }
    list(out, "Services", services);
    List<String> policies = new ArrayList<>();
    for (Authorization a : state.authorizations().values()) {
      boolean applies =
          switch (a.getScope()) {
            case GLOBAL -> true;
            case NAMESPACE -> a.getNamespace().equals(ns);
            case WORKLOAD_SELECTOR ->
                w != null
                    && w.getAuthorizationPoliciesList()
                        .contains(a.getNamespace() + "/" + a.getName());
            default -> false;
          };
      if (applies) {
        policies.add(
            a.getNamespace()
                + "/"
                + a.getName()
                + " "
                + a.getAction()
                + " ("
                + scope(a.getScope())
                + ", enforced by ztunnel)"
                + l7Note(a));
      }
    }
    policies.sort(null);
    list(out, "Authorization policies", policies);
    problems(out, "Pod " + ns + "/" + pod.name());
    return out.toString();
  }

  String service(Resource<ServiceSpec> svc) {
    String ns = svc.namespace();
    Service s = state.services().get(ns + "/" + MeshStateBuilder.hostname(ns, svc.name()));
    StringBuilder out = new StringBuilder();
    line(out, "Name", svc.name());
    line(out, "Namespace", ns);
    line(out, "Hostname", MeshStateBuilder.hostname(ns, svc.name()));
    line(out, "VIP", svc.spec().clusterIP() == null ? "<pending>" : svc.spec().clusterIP());
    List<String> ports = new ArrayList<>();
    if (s != null) {
      for (Port p : s.getPortsList()) {
        ports.add(
            p.getServicePort()
                + " -> "
                + (p.getTargetPort() == 0 ? "(named)" : p.getTargetPort())
                + (p.getAppProtocol().getNumber() == 0 ? "" : " " + p.getAppProtocol()));
      }
    }
    list(out, "Ports", ports);
    line(
        out,
        "Waypoint",
        s != null && s.hasWaypoint()
            ? waypoints.name(s.getWaypoint()) + " (" + waypoints.address(s.getWaypoint()) + ")"
            : "<none>");
    String key = ns + "/" + MeshStateBuilder.hostname(ns, svc.name());
    List<String> endpoints = new ArrayList<>();
    for (Workload w : state.workloads().values()) {
      if (w.getServicesMap().containsKey(key)) {
        PodInfo p = state.pods().get(w.getNamespace() + "/" + w.getName());
        endpoints.add(
            w.getName()
                + " "
                + (p == null || p.getPodIp().isEmpty() ? "<no IP>" : p.getPodIp())
                + " on "
                + (w.getNode().isEmpty() ? "<not scheduled>" : w.getNode())
                + " "
                + w.getStatus());
      }
    }
    endpoints.sort(null);
    list(out, "Endpoints", endpoints);
    List<String> routes = new ArrayList<>();
    for (HttpRoute r : state.routes().values()) {
      if (r.getParentsList().stream()
          .anyMatch(p -> p.getNamespace().equals(ns) && p.getName().equals(svc.name()))) {
        routes.add(r.getNamespace() + "/" + r.getName());
      }
    }
    routes.sort(null);
    list(out, "HTTP routes", routes);
    String waypointName = s != null && s.hasWaypoint() ? waypoints.name(s.getWaypoint()) : null;
    List<String> l7 = new ArrayList<>();
    for (L7Authorization a : state.l7Authorizations().values()) {
      for (TargetRef t : a.getTargetsList()) {
        boolean match =
            (t.getKind().equals("Service")
                    && t.getNamespace().equals(ns)
                    && t.getName().equals(svc.name()))
                || (t.getKind().equals("Gateway")
                    && (t.getNamespace() + "/" + t.getName()).equals(waypointName));
        if (match) {
          l7.add(
              a.getNamespace()
                  + "/"
                  + a.getName()
                  + " "
                  + a.getAction()
                  + " ("
                  + t.getKind().toLowerCase(java.util.Locale.ROOT)
                  + " "
                  + t.getName()
                  + ", enforced by the waypoint)");
          break;
        }
      }
    }
    l7.sort(null);
    list(out, "Waypoint policies", l7);
    problems(out, "Service " + ns + "/" + svc.name());
    return out.toString();
  }

  private String membership(Resource<PodSpec> pod, PodInfo info) {
    Map<String, String> own = pod.metadata().labels();
    if (own.containsKey(Labels.GATEWAY_NAME)) {
      return "waypoint proxy of "
          + pod.namespace()
          + "/"
          + own.get(Labels.GATEWAY_NAME)
          + " (speaks HBONE itself)";
    }
    if (info != null && info.getAmbient()) {
      return own.containsKey(Labels.DATAPLANE_MODE)
          ? "ambient (pod label " + Labels.DATAPLANE_MODE + "=ambient)"
          : "ambient (namespace " + pod.namespace() + " has " + Labels.DATAPLANE_MODE + "=ambient)";
    }
    return own.containsKey(Labels.DATAPLANE_MODE)
        ? "not in the mesh (pod label "
            + Labels.DATAPLANE_MODE
            + "="
            + own.get(Labels.DATAPLANE_MODE)
            + ")"
        : "not in the mesh (label the namespace " + Labels.DATAPLANE_MODE + "=ambient)";
  }

  private String l7Note(Authorization a) {
    return state
        .config()
        .get(AuthorizationPolicySpec.class, a.getNamespace(), a.getName())
        .filter(p -> p.spec().rules().stream().anyMatch(r -> r.isL7()))
        .map(
            p ->
                p.spec().effectiveAction() == dev.ambit.api.security.AuthorizationAction.ALLOW
                    ? "; L7 rules cannot be enforced here and allow nothing (attach the policy to a waypoint)"
                    : "; L7 parts of its rules are ignored, so it denies more (attach the policy to a waypoint)")
        .orElse("");
  }

  private void problems(StringBuilder out, String key) {
    String p = state.problems().get(key);
    if (p != null) {
      line(out, "Problems", p);
    }
  }

  private static String scope(Scope s) {
    return switch (s) {
      case GLOBAL -> "mesh-wide";
      case NAMESPACE -> "namespace";
      case WORKLOAD_SELECTOR -> "selector";
      default -> s.name();
    };
  }

  private static void line(StringBuilder out, String key, String value) {
    out.append(String.format("%-24s%s%n", key + ":", value));
  }

  private static void list(StringBuilder out, String key, List<String> values) {
    if (values.isEmpty()) {
      line(out, key, "<none>");
      return;
    }
    out.append(key).append(":\n");
    values.forEach(v -> out.append("  ").append(v).append('\n'));
  }
}
