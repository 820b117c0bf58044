package dev.ambit.waypoint.config;

import dev.ambit.waypoint.authz.L7Authorizer;
import dev.ambit.waypoint.route.RouteTable;
import java.util.List;

/** Everything the data path reads for one request, swapped atomically as a whole. */
public record WaypointSnapshot(MeshView mesh, RouteTable routes, L7Authorizer authz) {

  public static WaypointSnapshot empty(String namespace, String gateway) {
    return new WaypointSnapshot(
        MeshView.empty(), RouteTable.empty(), L7Authorizer.of(namespace, gateway, List.of()));
  }
}
