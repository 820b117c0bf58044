package dev.ambit.kube.waypoint;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The {@code status.parents} entries Ambit owns for one HTTPRoute: one per parent it serves, i.e. a
 * Service ({@code group: ""}, the mesh) or a Gateway of class {@code istio-waypoint}.
 *
 * <ul>
 *   <li>{@code Accepted}: true, or false with {@code NoMatchingParent} when the Service does not
 *       exist;
 *   <li>{@code ResolvedRefs}: true when every backendRef is an existing Service of the route's
 *       namespace; otherwise false with {@code InvalidKind}, {@code RefNotPermitted} (another
 *       namespace: ReferenceGrants are not implemented) or {@code BackendNotFound}.
 * </ul>
 */
final class RouteStatus {

  private static final String GATEWAY_GROUP = "gateway.networking.k8s.io";

  private final GenericKubernetesResource route;
  private final Map<String, Object> spec;
  private final BiPredicate<String, String> serviceExists;
  private final BiPredicate<String, String> waypointExists;

  RouteStatus(
      GenericKubernetesResource route,
      Map<String, Object> spec,
      BiPredicate<String, String> serviceExists,
      BiPredicate<String, String> waypointExists) {
    this.route = route;
    this.spec = spec;
    this.serviceExists = serviceExists;
    this.waypointExists = waypointExists;
  }

  /** {@code old} with Ambit's parent entries replaced by the current ones. */
  Map<String, Object> merged(Map<String, Object> old) {
    List<Object> parents = new ArrayList<>();
    List<Map<String, Object>> previous = new ArrayList<>();
    for (Object p : list(old.get("parents"))) {
      Map<String, Object> entry = WaypointReconciler.asMap(p);
      if (WaypointReconciler.CONTROLLER_NAME.equals(entry.get("controllerName"))) {
        previous.add(entry);
      } else {
        parents.add(entry);
      }
    }
    String ns = route.getMetadata().getNamespace();
    Long generation = route.getMetadata().getGeneration();
    String[] resolved = resolvedRefs(ns);
    for (Object p : list(spec.get("parentRefs"))) {
      Map<String, Object> ref = WaypointReconciler.asMap(p);
      String group = (String) ref.getOrDefault("group", GATEWAY_GROUP);
      String kind = (String) ref.getOrDefault("kind", "Gateway");
      String parentNs = (String) ref.getOrDefault("namespace", ns);
      String name = (String) ref.get("name");
      boolean service = "Service".equals(kind) && (group == null || group.isEmpty());
      boolean waypoint =
          "Gateway".equals(kind)
              && GATEWAY_GROUP.equals(group)
              && waypointExists.test(parentNs, name);
      if (!service && !waypoint) {
        continue;
      }
      List<Map<String, Object>> before = previousConditions(previous, ref);
      boolean accepted = waypoint || serviceExists.test(parentNs, name);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("parentRef", ref);
      entry.put("controllerName", WaypointReconciler.CONTROLLER_NAME);
      entry.put(
          "conditions",
          List.of(
              Conditions.condition(
                  "Accepted",
                  accepted,
                  accepted ? "Accepted" : "NoMatchingParent",
                  accepted ? "accepted" : "Service " + parentNs + "/" + name + " does not exist",
                  generation,
                  before),
              Conditions.condition(
                  "ResolvedRefs",
                  resolved[0].equals("ResolvedRefs"),
                  resolved[0],
                  resolved[1],
                  generation,
                  before)));
      parents.add(entry);
    }
    Map<String, Object> status = new LinkedHashMap<>(old);
    status.put("parents", parents);
    return status;
  }

  /** {reason, message} for the route's backendRefs. */
  private String[] resolvedRefs(String ns) {
    for (Object r : list(spec.get("rules"))) {
      for (Object b : list(WaypointReconciler.asMap(r).get("backendRefs"))) {
        Map<String, Object> ref = WaypointReconciler.asMap(b);
        String group = (String) ref.getOrDefault("group", "");
        String kind = (String) ref.getOrDefault("kind", "Service");
        String refNs = (String) ref.getOrDefault("namespace", ns);
        String name = (String) ref.get("name");
        if (!"Service".equals(kind) || (group != null && !group.isEmpty())) {
          return new String[] {"InvalidKind", "backend kind " + kind + " is not supported"};
        }
        if (!ns.equals(refNs)) {
          return new String[] {
            "RefNotPermitted", "backend " + refNs + "/" + name + " is in another namespace"
          };
        }
        if (!serviceExists.test(ns, name)) {
          return new String[] {"BackendNotFound", "Service " + ns + "/" + name + " does not exist"};
        }
      }
    }
    return new String[] {"ResolvedRefs", "all backend references resolved"};
  }

  private static List<Map<String, Object>> previousConditions(
      List<Map<String, Object>> previous, Map<String, Object> ref) {
    return previous.stream()
        .filter(e -> ref.equals(e.get("parentRef")))
        .findFirst()
        .map(e -> Conditions.of(e.get("conditions")))
        .orElse(List.of());
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
