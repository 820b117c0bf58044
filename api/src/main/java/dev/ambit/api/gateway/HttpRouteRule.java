package dev.ambit.api.gateway;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Rule;
import java.util.List;

/**
 * A rule of an HTTPRoute: requests matching any of {@code matches} (none: all requests) go through
 * {@code filters} to one of {@code backendRefs} chosen by weight.
 */
@NotImplemented("sessionPersistence")
public record HttpRouteRule(
    @Check(Rule.DNS_LABEL) String name,
    List<HttpRouteMatch> matches,
    List<HttpRouteFilter> filters,
    List<HttpBackendRef> backendRefs,
    HttpRouteTimeouts timeouts,
    HttpRouteRetry retry) {

  public HttpRouteRule {
    matches = Values.list(matches);
    filters = Values.list(filters);
    backendRefs = Values.list(backendRefs);
  }
}
