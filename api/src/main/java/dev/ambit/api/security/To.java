package dev.ambit.api.security;

import dev.ambit.api.schema.Required;

/** One {@code to} entry of a rule. */
public record To(@Required Operation operation) {}
