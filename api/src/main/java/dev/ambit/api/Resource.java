package dev.ambit.api;

import java.util.Objects;
import java.util.Optional;

/**
 * One configuration object: the envelope ({@code apiVersion}, metadata, optional status, where it
 * was read from) around a typed, version-independent {@link Spec}. The kind follows from the spec
 * type. Equality ignores {@link #source()}: two objects are equal when their content is.
 *
 * <p>Versions follow the Kubernetes CRD rules: {@link #apiVersion()} is the version the object was
 * read in (or will be written in); all served versions of a kind share one schema, so {@link
 * #toVersion} converts losslessly both ways.
 *
 * @param <S> the spec type, e.g. {@link dev.ambit.api.gateway.HttpRouteSpec}
 */
public record Resource<S extends Spec>(
    String apiVersion, ObjectMeta metadata, S spec, Status status, SourceLocation source) {

  public Resource {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(metadata.name(), "metadata.name");
    source = source == null ? SourceLocation.NONE : source;
    Kind kind = Kind.ofSpec(spec.getClass());
    if (apiVersion == null) {
      apiVersion = kind.storageApiVersion();
    }
    if (!kind.serves(apiVersion)) {
      throw new IllegalArgumentException(apiVersion + " does not serve " + kind.kindName());
    }
    if (kind.namespaced() != (metadata.namespace() != null)) {
      throw new IllegalArgumentException(
          kind.kindName() + (kind.namespaced() ? " needs" : " has no") + " namespace");
    }
    if (status != null && !status.getClass().equals(kind.statusType())) {
      throw new IllegalArgumentException(kind.kindName() + " has no status " + status.getClass());
    }
  }

  /** A new object in the storage version, not read from a file. */
  public static <S extends Spec> Resource<S> of(ObjectMeta metadata, S spec) {
    return new Resource<>(null, metadata, spec, null, SourceLocation.NONE);
  }

  public Kind kind() {
    return Kind.ofSpec(spec.getClass());
  }

  public ResourceKey key() {
    return new ResourceKey(kind(), metadata.namespace(), metadata.name());
  }

  public String name() {
    return metadata.name();
  }

  /** The namespace (null for cluster-scoped kinds). */
  public String namespace() {
    return metadata.namespace();
  }

  /** This object in another served version of its kind (lossless). */
  public Resource<S> toVersion(String targetApiVersion) {
    if (!kind().serves(targetApiVersion)) {
      throw new IllegalArgumentException(
          targetApiVersion
              + " is not a served version of "
              + kind().kindName()
              + " (served: "
              + String.join(", ", kind().servedApiVersions())
              + ")");
    }
    return new Resource<>(targetApiVersion, metadata, spec, status, source);
  }

  public Resource<S> withMetadata(ObjectMeta newMetadata) {
    return new Resource<>(apiVersion, newMetadata, spec, status, source);
  }

  public Resource<S> withSpec(S newSpec) {
    return new Resource<>(apiVersion, metadata, newSpec, status, source);
  }

  public Resource<S> withStatus(Status newStatus) {
    return new Resource<>(apiVersion, metadata, spec, newStatus, source);
  }

  /** This object typed by its spec, when the spec is a {@code specType}. */
  @SuppressWarnings("unchecked")
  public <T extends Spec> Optional<Resource<T>> as(Class<T> specType) {
    return specType.isInstance(spec) ? Optional.of((Resource<T>) this) : Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Resource<?> r
        && apiVersion.equals(r.apiVersion)
        && metadata.equals(r.metadata)
        && spec.equals(r.spec)
        && Objects.equals(status, r.status);
  }

  @Override
  public int hashCode() {
    return Objects.hash(apiVersion, metadata, spec, status);
  }
}
