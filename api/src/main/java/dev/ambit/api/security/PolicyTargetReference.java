package dev.ambit.api.security;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;

/**
 * What a policy attaches to, instead of a workload selector: e.g. {@code kind: Service} or {@code
 * kind: Gateway} (a waypoint), {@code group} "" for core kinds. {@code namespace} must be the
 * policy's own when set.
 */
public record PolicyTargetReference(
    String group,
    @Required @Check(Rule.NOT_EMPTY) String kind,
    @Required @Check(Rule.DNS_SUBDOMAIN) String name,
    @Check(Rule.DNS_LABEL) String namespace)
    implements SelfCheck {

  /** Whether this names a core Service. */
  public boolean isService() {
    return "Service".equals(kind) && (group == null || group.isEmpty());
  }

  /** Whether this names a Gateway (a waypoint). */
  public boolean isGateway() {
    return "Gateway".equals(kind) && "gateway.networking.k8s.io".equals(group);
  }

  @Override
  public void check(Checks checks) {
    if (!isService() && !isGateway()) {
      checks.error(
          "kind",
          "a policy attached to "
              + (group == null || group.isEmpty() ? "" : group + "/")
              + kind
              + " is not implemented by Ambit (supported: Service with group \"\","
              + " Gateway with group gateway.networking.k8s.io)");
    }
  }
}
