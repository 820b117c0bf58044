package dev.ambit.api.gateway;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import java.util.List;

/**
 * A weighted backend of a route rule (by default a core Service, whose {@code port} is then
 * required). {@code weight} null means 1.
 */
public record HttpBackendRef(
    String group,
    String kind,
    @Required @Check(Rule.DNS_SUBDOMAIN) String name,
    @Check(Rule.DNS_LABEL) String namespace,
    @Check(Rule.PORT) Integer port,
    @Check(Rule.WEIGHT) Integer weight,
    List<HttpRouteFilter> filters)
    implements SelfCheck {

  public HttpBackendRef {
    filters = Values.list(filters);
  }

  public int effectiveWeight() {
    return weight == null ? 1 : weight;
  }

  /** Whether this names a core Service (the default). */
  public boolean isService() {
    return (kind == null || kind.equals("Service")) && (group == null || group.isEmpty());
  }

  @Override
  public void check(Checks checks) {
    if (!isService()) {
      checks.error("kind", BackendObjectReference.NOT_A_SERVICE);
    } else if (port == null) {
      checks.error("port", "required for a Service backend");
    }
  }
}
