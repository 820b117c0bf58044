package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

/** A header name and value to set or add. */
public record HttpHeader(@Required @Check(Rule.HEADER_NAME) String name, @Required String value) {}
