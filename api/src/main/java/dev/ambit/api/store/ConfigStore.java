package dev.ambit.api.store;

import dev.ambit.api.ConfigError;
import dev.ambit.api.ConfigException;
import dev.ambit.api.Kind;
import dev.ambit.api.ObjectMeta;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.SourceLocation;
import dev.ambit.api.Spec;
import dev.ambit.api.Status;
import dev.ambit.api.Validation;
import dev.ambit.api.core.ServiceSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The in-memory configuration store: objects keyed by kind/namespace/name, each change at a new,
 * monotonically increasing resourceVersion.
 *
 * <ul>
 *   <li>{@link #apply} validates every object first and then commits all of them or none; readers
 *       ({@link #snapshot()}, {@link #get}, {@link #list}) see either the state before or after.
 *   <li>Fields other components own survive a re-apply that leaves them out: a Pod's {@code status}
 *       and a Service's allocated {@code clusterIP}.
 *   <li>{@link #watch} delivers ADDED/MODIFIED/DELETED events in commit order.
 * </ul>
 *
 * <p>Thread-safe: writes are serialised, reads are lock-free on an immutable snapshot.
 */
public final class ConfigStore {

  private final Clock clock;
  private final Object writeLock = new Object();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private volatile ConfigSnapshot snapshot = ConfigSnapshot.empty();

  public ConfigStore() {
    this(Clock.systemUTC());
  }

  public ConfigStore(Clock clock) {
    this.clock = clock;
  }

  /** The current content (immutable). */
  public ConfigSnapshot snapshot() {
    return snapshot;
  }

  public Optional<Resource<?>> get(ResourceKey key) {
    return snapshot.get(key);
  }

  public <S extends Spec> Optional<Resource<S>> get(
      Class<S> specType, String namespace, String name) {
    return snapshot.get(specType, namespace, name);
  }

  /** Objects of a kind in a namespace, or in all namespaces when {@code namespace} is null. */
  public List<Resource<?>> list(Kind kind, String namespace) {
    return snapshot.list(kind, namespace);
  }

  public <S extends Spec> List<Resource<S>> list(Class<S> specType, String namespace) {
    return snapshot.list(specType, namespace);
  }

  /** Creates or updates every object, all or nothing; one result per object, in order. */
  public List<ApplyResult> apply(List<? extends Resource<?>> resources) throws ConfigException {
    return apply(resources, List.of());
  }

  /**
   * Creates or updates {@code resources} and deletes {@code deletes} (absent keys are skipped) in
   * one commit, all or nothing. Results: one per object, then one per deleted key.
   */
  public List<ApplyResult> apply(
      List<? extends Resource<?>> resources, Collection<ResourceKey> deletes)
      throws ConfigException {
    List<ConfigError> errors = Validation.validateAll(resources);
    for (Resource<?> resource : resources) {
      if (deletes.contains(resource.key())) {
        errors.add(
            new ConfigError(
                resource.source(), "metadata.name", resource.key() + " is also deleted"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    synchronized (writeLock) {
      ConfigSnapshot current = snapshot;
      List<ConfigError> conflicts = new ArrayList<>();
      for (Resource<?> resource : resources) {
        String expected = resource.metadata().resourceVersion();
        Optional<Resource<?>> existing = current.get(resource.key());
        if (expected != null
            && existing.isPresent()
            && !expected.equals(existing.get().metadata().resourceVersion())) {
          conflicts.add(
              new ConfigError(
                  resource.source(),
                  "metadata.resourceVersion",
                  "conflict: "
                      + resource.key()
                      + " is at "
                      + existing.get().metadata().resourceVersion()
                      + ", not "
                      + expected));
        }
      }
      if (!conflicts.isEmpty()) {
        throw new ConfigException(conflicts);
      }
      Commit commit = new Commit(current);
      List<ApplyResult> results = new ArrayList<>();
      for (Resource<?> resource : resources) {
        results.add(commit.put(resource));
      }
      for (ResourceKey key : deletes) {
        commit.remove(key).ifPresent(results::add);
      }
      commit.publish();
      return results;
    }
  }

  /** Deletes one object; empty when it did not exist. */
  public Optional<ApplyResult> delete(ResourceKey key) {
    synchronized (writeLock) {
      Commit commit = new Commit(snapshot);
      Optional<ApplyResult> result = commit.remove(key);
      commit.publish();
      return result;
    }
  }

  /**
   * Sets the status of an existing object (e.g. a node agent reporting a Pod's IP). The spec and
   * generation stay; the resourceVersion moves on.
   */
  public Resource<?> updateStatus(ResourceKey key, Status status) throws ConfigException {
    return update(key, r -> r.withStatus(status));
  }

  /**
   * Changes an existing object with {@code change} (which must keep its kind, namespace and name),
   * validating the result, e.g. an allocator assigning a Service's clusterIP: {@code
   * store.update(key, r -> r.as(ServiceSpec.class).orElseThrow().withSpec(...))}.
   */
  public Resource<?> update(ResourceKey key, UnaryOperator<Resource<?>> change)
      throws ConfigException {
    synchronized (writeLock) {
      Resource<?> existing =
          snapshot
              .get(key)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          new ConfigError(SourceLocation.NONE, null, key + " does not exist")));
      Resource<?> changed = change.apply(existing);
      if (!changed.key().equals(key)) {
        throw new IllegalArgumentException("an update must keep the key " + key);
      }
      List<ConfigError> errors = Validation.validate(changed);
      if (!errors.isEmpty()) {
        throw new ConfigException(errors);
      }
      Commit commit = new Commit(snapshot);
      ApplyResult result = commit.put(changed);
      commit.publish();
      return result.object();
    }
  }

  /**
   * Subscribes {@code listener}: it first gets the current content as ADDED events, then every
   * change, in order. Close the returned handle to stop.
   */
  public Watch watch(WatchListener listener) {
    synchronized (writeLock) {
      Subscription subscription = new Subscription(listener, this::unsubscribe);
      ConfigSnapshot current = snapshot;
      subscription.offer(
          current.all().stream()
              .map(
                  r ->
                      new WatchEvent(
                          WatchEvent.Type.ADDED, r, Long.parseLong(r.metadata().resourceVersion())))
              .toList(),
          current);
      subscriptions.add(subscription);
      subscription.start();
      return subscription;
    }
  }

  private void unsubscribe(Subscription subscription) {
    subscriptions.remove(subscription);
  }

  /** Changes being prepared against one snapshot; published at once. Runs under the lock. */
  private final class Commit {
    private final ConfigSnapshot base;
    private final Map<ResourceKey, Resource<?>> changes = new LinkedHashMap<>();
    private final List<WatchEvent> events = new ArrayList<>();
    private long version;

    Commit(ConfigSnapshot base) {
      this.base = base;
      this.version = base.resourceVersion();
    }

    private Optional<Resource<?>> current(ResourceKey key) {
      return changes.containsKey(key) ? Optional.ofNullable(changes.get(key)) : base.get(key);
    }

    ApplyResult put(Resource<?> incoming) {
      Resource<?> resource = incoming.toVersion(incoming.kind().storageApiVersion());
      Optional<Resource<?>> existing = current(resource.key());
      if (existing.isEmpty()) {
        ObjectMeta meta =
            resource
                .metadata()
                .withSystemFields(
                    UUID.randomUUID().toString(), Long.toString(++version), 1L, now());
        Resource<?> created = resource.withMetadata(meta);
        changes.put(created.key(), created);
        events.add(new WatchEvent(WatchEvent.Type.ADDED, created, version));
        return new ApplyResult(ApplyResult.Outcome.CREATED, created);
      }
      Resource<?> old = existing.get();
      Resource<?> merged = keepOwnedFields(resource, old);
      boolean specChanged = !merged.spec().equals(old.spec());
      boolean changed =
          specChanged
              || !merged.metadata().labels().equals(old.metadata().labels())
              || !merged.metadata().annotations().equals(old.metadata().annotations())
              || !Objects.equals(merged.status(), old.status());
      if (!changed) {
        return new ApplyResult(ApplyResult.Outcome.UNCHANGED, old);
      }
      ObjectMeta meta =
          merged
              .metadata()
              .withSystemFields(
                  old.metadata().uid(),
                  Long.toString(++version),
                  old.metadata().generation() + (specChanged ? 1 : 0),
                  old.metadata().creationTimestamp());
      Resource<?> updated = merged.withMetadata(meta);
      changes.put(updated.key(), updated);
      events.add(new WatchEvent(WatchEvent.Type.MODIFIED, updated, version));
      return new ApplyResult(ApplyResult.Outcome.CONFIGURED, updated);
    }

    Optional<ApplyResult> remove(ResourceKey key) {
      Optional<Resource<?>> existing = current(key);
      if (existing.isEmpty()) {
        return Optional.empty();
      }
      changes.put(key, null);
      events.add(new WatchEvent(WatchEvent.Type.DELETED, existing.get(), ++version));
      return Optional.of(new ApplyResult(ApplyResult.Outcome.DELETED, existing.get()));
    }

    void publish() {
      if (events.isEmpty()) {
        return;
      }
      ConfigSnapshot next = base.with(changes, version);
      snapshot = next;
      List<WatchEvent> batch = List.copyOf(events);
      subscriptions.forEach(s -> s.offer(batch, next));
    }

    private Instant now() {
      return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }
  }

  /** A status or an allocated clusterIP left out of an apply stays as it was. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Resource<?> keepOwnedFields(Resource<?> incoming, Resource<?> old) {
    Resource result = incoming;
    if (incoming.status() == null && old.status() != null) {
      result = result.withStatus(old.status());
    }
    if (incoming.spec() instanceof ServiceSpec spec
        && spec.clusterIP() == null
        && old.spec() instanceof ServiceSpec oldSpec
        && oldSpec.clusterIP() != null) {
      result = result.withSpec(spec.withClusterIP(oldSpec.clusterIP()));
    }
    return result;
  }
}
