package dev.ambit.api.core;

import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;

/** An environment variable of a container (literal values only). */
@NotImplemented("valueFrom")
public record EnvVar(@Required String name, String value) {}
