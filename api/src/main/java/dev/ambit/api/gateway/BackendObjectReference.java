package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

/** A backend (by default a core Service) and its port. */
public record BackendObjectReference(
    String group,
    String kind,
    @Required @Check(Rule.DNS_SUBDOMAIN) String name,
    @Check(Rule.DNS_LABEL) String namespace,
    @Check(Rule.PORT) Integer port) {}
