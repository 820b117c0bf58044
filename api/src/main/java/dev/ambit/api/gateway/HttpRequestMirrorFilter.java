package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

/** Sends a copy of requests (responses ignored) to a backend; {@code percent} null means 100. */
@NotImplemented("fraction")
public record HttpRequestMirrorFilter(
    @Required BackendObjectReference backendRef, @Check(Rule.PERCENT) Integer percent) {}
