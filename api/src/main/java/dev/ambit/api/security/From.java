package dev.ambit.api.security;

import dev.ambit.api.schema.Required;

/** One {@code from} entry of a rule. */
public record From(@Required Source source) {}
