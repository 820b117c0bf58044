package dev.ambit.control.state;

import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.NamespaceSpec;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.PeerAuthenticationSpec;
import dev.ambit.api.store.ConfigSnapshot;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The config objects the mesh state is computed from, indexed by namespace (each namespace's
 * objects sorted by name, so every computation sees them in the same order), kept in line with the
 * config snapshots one changed key at a time. Not thread-safe: owned by one {@link
 * MeshStateBuilder}.
 */
final class ConfigIndex {

  private ConfigSnapshot previous;
  private ConfigSnapshot config;
  private final Map<String, Resource<NamespaceSpec>> namespaces = new HashMap<>();
  private final Map<Kind, Map<String, NavigableMap<String, Resource<?>>>> byNamespace =
      new HashMap<>();

  /** The kinds indexed by namespace. */
  private static final List<Kind> INDEXED =
      List.of(Kind.POD, Kind.SERVICE, Kind.AUTHORIZATION_POLICY, Kind.PEER_AUTHENTICATION);

  /** The snapshot the index reflects (null before the first). */
  ConfigSnapshot config() {
    return config;
  }

  /** Moves to {@code next}; the caller then calls {@link #update} for every key that changed. */
  void moveTo(ConfigSnapshot next) {
    previous = config;
    config = next;
  }

  /**
   * Brings the entry of {@code key} in line with the current snapshot; returns the object the
   * previous snapshot had (null when none).
   */
  Resource<?> update(ResourceKey key) {
    Resource<?> old = previous == null ? null : previous.get(key).orElse(null);
    Resource<?> now = config.get(key).orElse(null);
    if (key.kind() == Kind.NAMESPACE) {
      if (now == null) {
        namespaces.remove(key.name());
      } else {
        namespaces.put(key.name(), now.as(NamespaceSpec.class).orElseThrow());
      }
    } else if (INDEXED.contains(key.kind())) {
      index(key, now);
    }
    return old;
  }

  private void index(ResourceKey key, Resource<?> now) {
    Map<String, NavigableMap<String, Resource<?>>> kind =
        byNamespace.computeIfAbsent(key.kind(), k -> new HashMap<>());
    if (now == null) {
      NavigableMap<String, Resource<?>> ns = kind.get(key.namespace());
      if (ns != null) {
        ns.remove(key.name());
        if (ns.isEmpty()) {
          kind.remove(key.namespace());
        }
      }
      return;
    }
    kind.computeIfAbsent(key.namespace(), n -> new TreeMap<>()).put(key.name(), now);
  }

  Map<String, String> namespaceLabels(String ns) {
    Resource<NamespaceSpec> n = namespaces.get(ns);
    return n == null ? Map.of() : n.metadata().labels();
  }

  Collection<String> namespacesWith(Kind kind) {
    return byNamespace.getOrDefault(kind, Map.of()).keySet();
  }

  @SuppressWarnings("unchecked")
  private <S extends dev.ambit.api.Spec> Collection<Resource<S>> in(Kind kind, String ns) {
    NavigableMap<String, Resource<?>> m = byNamespace.getOrDefault(kind, Map.of()).get(ns);
    return m == null ? List.of() : (Collection<Resource<S>>) (Collection<?>) m.values();
  }

  Collection<Resource<PodSpec>> pods(String ns) {
    return in(Kind.POD, ns);
  }

  Collection<Resource<ServiceSpec>> services(String ns) {
    return in(Kind.SERVICE, ns);
  }

  Collection<Resource<AuthorizationPolicySpec>> authorizationPolicies(String ns) {
    return in(Kind.AUTHORIZATION_POLICY, ns);
  }

  Collection<Resource<PeerAuthenticationSpec>> peerAuthentications(String ns) {
    return in(Kind.PEER_AUTHENTICATION, ns);
  }

  boolean hasPeerAuthentications() {
    return !byNamespace.getOrDefault(Kind.PEER_AUTHENTICATION, Map.of()).isEmpty();
  }
}
