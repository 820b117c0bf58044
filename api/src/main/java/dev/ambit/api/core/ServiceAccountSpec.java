package dev.ambit.api.core;

import dev.ambit.api.Spec;

/** A core v1 ServiceAccount: only a name, which becomes part of workload identities. */
public record ServiceAccountSpec() implements Spec {}
