package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

/** A route kind a listener accepts ({@code group} null means gateway.networking.k8s.io). */
public record RouteGroupKind(String group, @Required @Check(Rule.NOT_EMPTY) String kind) {}
