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

  private Labels() {}
}
