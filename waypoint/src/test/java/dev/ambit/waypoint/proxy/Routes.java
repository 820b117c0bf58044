package dev.ambit.waypoint.proxy;

import dev.ambit.proto.waypoint.BackendRef;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.ParentRef;
import dev.ambit.proto.waypoint.PathMatch;
import dev.ambit.proto.waypoint.RouteMatch;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.proto.waypoint.ValueMatch;

/** Small builders for HttpRoutes attached to the test service "reviews". */
final class Routes {

  private Routes() {}

  static HttpRoute route(RouteRule... rules) {
    return HttpRoute.newBuilder()
        .setName("reviews")
        .setNamespace("shop")
        .addParents(ParentRef.newBuilder().setName("reviews"))
        .addAllRules(java.util.List.of(rules))
        .build();
  }

  static BackendRef.Builder backend(String service, int weight) {
    return BackendRef.newBuilder().setName(service).setPort(9080).setWeight(weight);
  }

  static RouteMatch prefix(String p) {
    return RouteMatch.newBuilder()
        .setPath(PathMatch.newBuilder().setType(PathMatch.Type.PATH_PREFIX).setValue(p))
        .build();
  }

  static RouteMatch header(String name, String value) {
    return RouteMatch.newBuilder()
        .addHeaders(ValueMatch.newBuilder().setName(name).setValue(value))
        .build();
  }
}
