package dev.ambit.api;

/**
 * The typed, version-independent body of a resource ({@code spec} in YAML). Each {@link Kind} has
 * exactly one spec record type; kinds without a {@code spec} in YAML (Namespace, ServiceAccount)
 * have an empty one.
 */
public interface Spec {}
