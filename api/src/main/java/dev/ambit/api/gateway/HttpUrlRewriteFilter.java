package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Rule;

/** Rewrites the host and/or path before forwarding. */
public record HttpUrlRewriteFilter(@Check(Rule.HOSTNAME) String hostname, HttpPathModifier path) {}
