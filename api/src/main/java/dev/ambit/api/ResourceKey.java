package dev.ambit.api;

/** Identifies an object: kind, namespace (null for cluster-scoped kinds) and name. */
public record ResourceKey(Kind kind, String namespace, String name) {

  public ResourceKey {
    if (kind.namespaced() != (namespace != null)) {
      throw new IllegalArgumentException(
          kind.kindName() + (kind.namespaced() ? " needs" : " has no") + " namespace");
    }
  }

  /** {@code Kind ns/name} or {@code Kind name}. */
  @Override
  public String toString() {
    return kind.kindName() + " " + (namespace == null ? name : namespace + "/" + name);
  }
}
