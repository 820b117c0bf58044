package dev.ambit.kube.waypoint;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code status.listeners} of a waypoint Gateway: per listener its supported route kinds, the
 * number of HTTPRoutes attached to it ({@code attachedRoutes}: routes whose parentRefs name the
 * Gateway, and the listener when they give a {@code sectionName}), and the conditions {@code
 * Accepted}, {@code Programmed} and {@code ResolvedRefs}.
 */
final class ListenerStatus {

  private static final String GATEWAY_GROUP = "gateway.networking.k8s.io";

  private ListenerStatus() {}

  static List<Map<String, Object>> of(
      GenericKubernetesResource gw,
      Collection<GenericKubernetesResource> routes,
      boolean programmed,
      List<Map<String, Object>> previous) {
    Map<String, Object> spec = WaypointReconciler.asMap(gw.getAdditionalProperties().get("spec"));
    Long generation = gw.getMetadata().getGeneration();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object l : list(spec.get("listeners"))) {
      String name = (String) WaypointReconciler.asMap(l).get("name");
      List<Map<String, Object>> before =
          previous.stream()
              .filter(p -> Objects.equals(name, p.get("name")))
              .findFirst()
              .map(p -> Conditions.of(p.get("conditions")))
              .orElse(List.of());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", name);
      entry.put("supportedKinds", List.of(Map.of("group", GATEWAY_GROUP, "kind", "HTTPRoute")));
      entry.put("attachedRoutes", attached(gw, name, routes));
      entry.put(
          "conditions",
          List.of(
              Conditions.condition(
                  "Accepted", true, "Accepted", "listener accepted", generation, before),
              Conditions.condition(
                  "Programmed",
                  programmed,
                  programmed ? "Programmed" : "Pending",
                  programmed ? "listener programmed" : "the waypoint is not programmed yet",
                  generation,
                  before),
              Conditions.condition(
                  "ResolvedRefs",
                  true,
                  "ResolvedRefs",
                  "no references to resolve",
                  generation,
                  before)));
      out.add(entry);
    }
    return out;
  }

  private static long attached(
      GenericKubernetesResource gw, String listener, Collection<GenericKubernetesResource> routes) {
    String gwNs = gw.getMetadata().getNamespace();
    String gwName = gw.getMetadata().getName();
    return routes.stream()
        .filter(
            route ->
                list(
                        WaypointReconciler.asMap(route.getAdditionalProperties().get("spec"))
                            .get("parentRefs"))
                    .stream()
                    .map(WaypointReconciler::asMap)
                    .anyMatch(
                        ref ->
                            GATEWAY_GROUP.equals(ref.getOrDefault("group", GATEWAY_GROUP))
                                && "Gateway".equals(ref.getOrDefault("kind", "Gateway"))
                                && gwName.equals(ref.get("name"))
                                && gwNs.equals(
                                    ref.getOrDefault(
                                        "namespace", route.getMetadata().getNamespace()))
                                && (ref.get("sectionName") == null
                                    || Objects.equals(listener, ref.get("sectionName")))))
        .count();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
