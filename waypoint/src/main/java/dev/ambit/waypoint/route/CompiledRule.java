package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.BackendRef;
import dev.ambit.proto.waypoint.Filter;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.RouteRule;
import java.time.Duration;
import java.util.List;

/**
 * One rule of an HTTPRoute with its settings decoded: the unit requests are routed to.
 *
 * @param requestTimeout zero means none
 * @param backendTimeout zero means none
 */
public record CompiledRule(
    String routeNamespace,
    String routeName,
    int index,
    List<Filter> filters,
    WeightedBackends backends,
    Duration requestTimeout,
    Duration backendTimeout,
    RetryPolicy retry) {

  static CompiledRule of(HttpRoute route, int index) {
    RouteRule r = route.getRules(index);
    return new CompiledRule(
        route.getNamespace(),
        route.getName(),
        index,
        List.copyOf(r.getFiltersList()),
        new WeightedBackends(List.<BackendRef>copyOf(r.getBackendsList())),
        r.hasTimeouts() && r.getTimeouts().hasRequest()
            ? duration(r.getTimeouts().getRequest())
            : Duration.ZERO,
        r.hasTimeouts() && r.getTimeouts().hasBackendRequest()
            ? duration(r.getTimeouts().getBackendRequest())
            : Duration.ZERO,
        RetryPolicy.of(r.hasRetry() ? r.getRetry() : null));
  }

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** "namespace/name" of the route, for logs and metrics. */
  public String routeKey() {
    return routeNamespace + "/" + routeName;
  }
}
