package dev.ambit.control.state;

import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.control.xds.XdsResource;
import dev.ambit.control.xds.XdsSnapshot;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.Workload;
import java.util.HashMap;
import java.util.Map;

/**
 * One immutable computed state of the mesh, built from one config snapshot. Keys are the xDS
 * resource names: workload uid, "namespace/hostname", "namespace/name"; pods by "namespace/name".
 *
 * @param problems human-readable reasons an object could not be fully configured (e.g. an unknown
 *     waypoint), by "Kind namespace/name"; shown by describe
 */
public record MeshState(
    ConfigSnapshot config,
    Map<String, Workload> workloads,
    Map<String, Service> services,
    Map<String, Authorization> authorizations,
    Map<String, HttpRoute> routes,
    Map<String, L7Authorization> l7Authorizations,
    Map<String, PodInfo> pods,
    Map<String, String> problems) {

  public MeshState {
    workloads = Map.copyOf(workloads);
    services = Map.copyOf(services);
    authorizations = Map.copyOf(authorizations);
    routes = Map.copyOf(routes);
    l7Authorizations = Map.copyOf(l7Authorizations);
    pods = Map.copyOf(pods);
    problems = Map.copyOf(problems);
  }

  /**
   * The xDS resources of this state; versions are content hashes, so unchanged objects keep theirs.
   */
  public XdsSnapshot toXds(long version, long changedAtNanos) {
    Map<String, XdsResource> addresses = new HashMap<>();
    workloads.forEach(
        (k, w) -> addresses.put(k, XdsResource.of(k, Address.newBuilder().setWorkload(w).build())));
    services.forEach(
        (k, s) -> addresses.put(k, XdsResource.of(k, Address.newBuilder().setService(s).build())));
    return new XdsSnapshot(
        version,
        changedAtNanos,
        Map.of(
            TypeUrls.ADDRESS, addresses,
            TypeUrls.AUTHORIZATION, resources(authorizations),
            TypeUrls.HTTP_ROUTE, resources(routes),
            TypeUrls.L7_AUTHORIZATION, resources(l7Authorizations)));
  }

  private static Map<String, XdsResource> resources(
      Map<String, ? extends com.google.protobuf.Message> messages) {
    Map<String, XdsResource> out = new HashMap<>();
    messages.forEach((k, m) -> out.put(k, XdsResource.of(k, m)));
    return out;
  }
}
