package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;

/** A backend (by default a core Service) and its port. */
public record BackendObjectReference(
    String group,
    String kind,
    @Required @Check(Rule.DNS_SUBDOMAIN) String name,
    @Check(Rule.DNS_LABEL) String namespace,
    @Check(Rule.PORT) Integer port)
    implements SelfCheck {

  static final String NOT_A_SERVICE =
      "only Service backends (group \"\", kind Service) are implemented by Ambit";

  /** Whether this names a core Service (the default). */
  public boolean isService() {
    return (kind == null || kind.equals("Service")) && (group == null || group.isEmpty());
  }

  @Override
  public void check(Checks checks) {
    if (!isService()) {
      checks.error("kind", NOT_A_SERVICE);
    } else if (port == null) {
      checks.error("port", "required for a Service backend");
    }
  }
}
