package dev.ambit.api.security;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;

/**
 * What a policy attaches to, instead of a workload selector: e.g. {@code kind: Service} or {@code
 * kind: Gateway} (a waypoint), {@code group} "" for core kinds. {@code namespace} must be the
 * policy's own when set.
 */
public record PolicyTargetReference(
    String group,
    @Required @Check(Rule.NOT_EMPTY) String kind,
    @Required @Check(Rule.DNS_SUBDOMAIN) String name,
    @Check(Rule.DNS_LABEL) String namespace) {}
