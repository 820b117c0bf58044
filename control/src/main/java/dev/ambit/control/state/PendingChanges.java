package dev.ambit.control.state;

import dev.ambit.api.ResourceKey;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.WatchEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys changed by store watch events since the last build, with the snapshot right after the
 * last of them: exactly what {@link MeshStateBuilder#update} needs. Watch events arrive on the
 * store's thread; the builder drains them on the state thread.
 */
public final class PendingChanges {

  /** A snapshot and the keys changed since the previous batch. */
  public record Batch(ConfigSnapshot snapshot, Set<ResourceKey> keys) {}

  private Set<ResourceKey> keys = new HashSet<>();
  private Set<ResourceKey> unreconciled = new HashSet<>();
  private ConfigSnapshot snapshot;

  public synchronized void add(List<WatchEvent> events, ConfigSnapshot after) {
    for (WatchEvent e : events) {
      keys.add(e.object().key());
      unreconciled.add(e.object().key());
    }
    snapshot = after;
    notifyAll();
  }

  /**
   * The keys changed since the last call, for reconcilers (a second, independent queue: each change
   * is seen once by the reconcilers and once by the builder).
   */
  public synchronized Set<ResourceKey> takeForReconcile() {
    Set<ResourceKey> out = unreconciled;
    unreconciled = new HashSet<>();
    return out;
  }

  /**
   * Waits until the events up to store revision {@code revision} have arrived, then takes them;
   * null when they did not arrive within {@code timeout}.
   */
  public synchronized Batch drain(long revision, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (snapshot == null || snapshot.resourceVersion() < revision) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    Batch batch = new Batch(snapshot, keys);
    keys = new HashSet<>();
    return batch;
  }
}
