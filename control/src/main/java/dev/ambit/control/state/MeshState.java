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
    workloads = Map.copyOf(workloads);
    services = Map.copyOf(services);
    authorizations = Map.copyOf(authorizations);
    routes = Map.copyOf(routes);
    l7Authorizations = Map.copyOf(l7Authorizations);
    pods = Map.copyOf(pods);
    problems = Map.copyOf(problems);
    xds = Map.copyOf(xds);
  }

  /** The xDS resources of this state (versions are content hashes). */
  public XdsSnapshot toXds(long version, long changedAtNanos) {
    return new XdsSnapshot(version, changedAtNanos, xds, delta);
  }
}
