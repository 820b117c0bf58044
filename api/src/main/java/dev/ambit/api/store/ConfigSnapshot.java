package dev.ambit.api.store;

import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.Spec;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of the whole store at one revision. Readers holding a snapshot never see a
 * later (or half-applied) change.
 */
public final class ConfigSnapshot {

  private static final Comparator<Resource<?>> ORDER =
      Comparator.comparing((Resource<?> r) -> Objects.requireNonNullElse(r.namespace(), ""))
          .thenComparing(Resource::name);

  private final long resourceVersion;
  private final Map<Kind, Map<ResourceKey, Resource<?>>> byKind;

  ConfigSnapshot(long resourceVersion, Map<Kind, Map<ResourceKey, Resource<?>>> byKind) {
    this.resourceVersion = resourceVersion;
    this.byKind = byKind;
  }

  static ConfigSnapshot empty() {
    return new ConfigSnapshot(0, Map.of());
  }

  /** The store revision: the resourceVersion of the last change. */
  public long resourceVersion() {
    return resourceVersion;
  }

  public Optional<Resource<?>> get(ResourceKey key) {
    return Optional.ofNullable(byKind.getOrDefault(key.kind(), Map.of()).get(key));
  }

  /** The object of {@code specType} at namespace/name (namespace null for cluster-scoped kinds). */
  public <S extends Spec> Optional<Resource<S>> get(
      Class<S> specType, String namespace, String name) {
    return get(new ResourceKey(Kind.ofSpec(specType), namespace, name))
        .flatMap(r -> r.as(specType));
  }

  /** Objects of a kind in a namespace, or in all namespaces when {@code namespace} is null. */
  public List<Resource<?>> list(Kind kind, String namespace) {
    return byKind.getOrDefault(kind, Map.of()).values().stream()
        .filter(r -> namespace == null || namespace.equals(r.namespace()))
        .sorted(ORDER)
        .toList();
  }

  /** Typed {@link #list(Kind, String)}. */
  public <S extends Spec> List<Resource<S>> list(Class<S> specType, String namespace) {
    return list(Kind.ofSpec(specType), namespace).stream()
        .map(r -> r.as(specType).orElseThrow())
        .toList();
  }

  /** Every object, ordered by kind, namespace, name. */
  public List<Resource<?>> all() {
    return Arrays.stream(Kind.values()).flatMap(k -> list(k, null).stream()).toList();
  }

  public int size() {
    return byKind.values().stream().mapToInt(Map::size).sum();
  }

  /** A copy with some objects replaced or removed (value null), at a new revision. */
  ConfigSnapshot with(Map<ResourceKey, Resource<?>> changes, long newVersion) {
    Map<Kind, Map<ResourceKey, Resource<?>>> copy = new HashMap<>(byKind);
    Map<Kind, Map<ResourceKey, Resource<?>>> touched = new HashMap<>();
    changes.forEach(
        (key, value) -> {
          Map<ResourceKey, Resource<?>> kindMap =
              touched.computeIfAbsent(
                  key.kind(), k -> new HashMap<>(byKind.getOrDefault(k, Map.of())));
          if (value == null) {
            kindMap.remove(key);
          } else {
            kindMap.put(key, value);
          }
        });
    touched.forEach((kind, map) -> copy.put(kind, Collections.unmodifiableMap(map)));
    return new ConfigSnapshot(newVersion, Collections.unmodifiableMap(copy));
  }
}
