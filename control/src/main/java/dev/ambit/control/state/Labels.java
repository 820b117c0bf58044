package dev.ambit.control.state;

/** Label and annotation names the control plane reads and writes. */
public final class Labels {

  public static final String DATAPLANE_MODE = "istio.io/dataplane-mode";
  public static final String AMBIENT = "ambient";
  public static final String NONE = "none";
  public static final String USE_WAYPOINT = "istio.io/use-waypoint";
  public static final String USE_WAYPOINT_NAMESPACE = "istio.io/use-waypoint-namespace";
  public static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

  /** Marks objects the control plane derived from a waypoint Gateway (it owns them). */
  public static final String MANAGED = "gateway.istio.io/managed";

  public static final String MANAGED_VALUE = "ambit-waypoint-controller";

  /** Gateway annotation: number of waypoint pods (default 1). */
  public static final String REPLICAS = "ambit.dev/replicas";

  /**
   * Service annotation: the request load-balancing algorithm of waypoints, {@code least-request}
   * (the default) or {@code round-robin}.
   */
  public static final String LOAD_BALANCER = "ambit.dev/load-balancer";

  /**
   * Service annotation: the pods (comma-separated names, in the Service's namespace) that are its
   * endpoints although it has no selector. In Kubernetes mode the control plane sets it from the
   * Service's EndpointSlices (endpoints that refer to a Pod and are ready).
   */
  public static final String ENDPOINT_PODS = "ambit.dev/endpoint-pods";

  private Labels() {}

  /** The pod names of {@link #ENDPOINT_PODS}, empty when absent. */
  public static java.util.Set<String> endpointPods(java.util.Map<String, String> annotations) {
    String value = annotations == null ? null : annotations.get(ENDPOINT_PODS);
    if (value == null || value.isBlank()) {
      return java.util.Set.of();
    }
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (String name : value.split(",")) {
      if (!name.isBlank()) {
        out.add(name.trim());
      }
    }
    return out;
  }
}
