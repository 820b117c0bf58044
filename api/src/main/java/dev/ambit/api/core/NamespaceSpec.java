package dev.ambit.api.core;

import dev.ambit.api.Spec;

/** A core v1 Namespace has no spec fields Ambit uses; its labels (on metadata) enrol workloads. */
public record NamespaceSpec() implements Spec {}
