package dev.ambit.api.gateway;

import dev.ambit.api.Spec;
import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Rule;
import java.util.List;

/**
 * A Gateway API HTTPRoute. For mesh traffic its {@code parentRefs} name a Service; the waypoint of
 * that Service applies the rules.
 */
public record HttpRouteSpec(
    List<ParentReference> parentRefs,
    @Check(Rule.HOSTNAME) List<String> hostnames,
    List<HttpRouteRule> rules)
    implements Spec {

  public HttpRouteSpec {
    parentRefs = Values.list(parentRefs);
    hostnames = Values.list(hostnames);
    rules = Values.list(rules);
  }
}
