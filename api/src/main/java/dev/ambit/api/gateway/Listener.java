package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

/**
 * A Gateway listener. A waypoint has listener {@code mesh}, port 15008, protocol {@code HBONE}.
 * {@code protocol} is a Gateway API protocol name (HTTP, HTTPS, TLS, TCP, UDP) or a
 * domain-prefixed/implementation one such as HBONE.
 */
@NotImplemented("tls")
public record Listener(
    @Required @Check(Rule.DNS_LABEL) String name,
    @Check(Rule.HOSTNAME) String hostname,
    @Required @Check(Rule.PORT) Integer port,
    @Required @Check(Rule.NOT_EMPTY) String protocol,
    AllowedRoutes allowedRoutes) {}
