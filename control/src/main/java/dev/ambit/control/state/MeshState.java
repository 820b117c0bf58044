package dev.ambit.control.state;

import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.control.xds.XdsResource;
import dev.ambit.control.xds.XdsSnapshot;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.Workload;
import java.util.Map;

/**
 * One immutable computed state of the mesh, built from one config snapshot. Keys are the xDS
 * resource names: workload uid, "namespace/hostname", "namespace/name"; pods by "namespace/name".
 *
 * @param problems human-readable reasons an object could not be fully configured (e.g. an unknown
 *     waypoint), by "Kind namespace/name"; shown by describe
 * @param delta the xDS names that changed since the state this one was computed from
 */
public record MeshState(
    ConfigSnapshot config,
    Map<String, Workload> workloads,
    Map<String, Service> services,
    Map<String, Authorization> authorizations,
    Map<String, HttpRoute> routes,
    Map<String, L7Authorization> l7Authorizations,
    Map<String, PodInfo> pods,
    Map<String, String> problems,
    Map<String, Map<String, XdsResource>> xds,
    XdsSnapshot.Delta delta) {

  public MeshState {
    workloads = immutable(workloads);
    services = immutable(services);
    authorizations = immutable(authorizations);
    routes = immutable(routes);
    l7Authorizations = immutable(l7Authorizations);
    pods = immutable(pods);
    problems = immutable(problems);
    xds = Map.copyOf(xds);
  }

  /** The builder's maps are immutable already (and large): only other maps are copied. */
  private static <V> Map<String, V> immutable(Map<String, V> map) {
    return map instanceof ShardedMap<V> ? map : Map.copyOf(map);
  }

  /** The xDS resources of this state (versions are content hashes). */
  public XdsSnapshot toXds(long version, long changedAtNanos) {
    return new XdsSnapshot(version, changedAtNanos, xds, delta);
  }
}
