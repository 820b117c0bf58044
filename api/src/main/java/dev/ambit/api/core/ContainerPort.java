package dev.ambit.api.core;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

/** A named port a container listens on (lets a Service's targetPort name it). */
@NotImplemented({"hostIP", "hostPort"})
public record ContainerPort(
    @Check(Rule.DNS_LABEL) String name,
    @Required @Check(Rule.PORT) Integer containerPort,
    @NotImplemented({"UDP", "SCTP"}) Protocol protocol) {}
