package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

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
    @Check(Rule.PORT) Integer port) {

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
