package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;

/**
 * What an HTTPRoute attaches to: a Gateway (default group gateway.networking.k8s.io, kind Gateway)
 * or, for mesh routing through a waypoint, a Service ({@code group: ""}, {@code kind: Service}).
 * {@code namespace} null means the route's own.
 */
public record ParentReference(
    String group,
    String kind,
    @Check(Rule.DNS_LABEL) String namespace,
    @Required @Check(Rule.DNS_SUBDOMAIN) String name,
    @Check(Rule.DNS_LABEL) String sectionName,
    @Check(Rule.PORT) Integer port)
    implements SelfCheck {

  @Override
  public void check(Checks checks) {
    boolean gateway =
        effectiveGroup().equals("gateway.networking.k8s.io") && effectiveKind().equals("Gateway");
    if (!gateway && !isService()) {
      checks.error(
          "kind",
          "a "
              + effectiveGroup()
              + "/"
              + effectiveKind()
              + " parent is not implemented by Ambit (supported: Gateway, and Service with"
              + " group \"\")");
    }
  }

  /** The group, applying the default. */
  public String effectiveGroup() {
    return group == null ? "gateway.networking.k8s.io" : group;
  }

  /** The kind, applying the default. */
  public String effectiveKind() {
    return kind == null ? "Gateway" : kind;
  }

  /** Whether this is a Service parent (mesh routing, GAMMA). */
  public boolean isService() {
    return "Service".equals(kind) && (group == null || group.isEmpty());
  }
}
