package dev.ambit.control.state;

import dev.ambit.control.xds.XdsResource;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A map the builder changes in place and publishes as immutable versions ({@link ShardedMap}): a
 * new version copies only the shards that changed since the last one. For xDS resources it also
 * collects the names whose content changed (added, new version, removed) since the last version.
 */
final class PublishedMap<V> {

  private final Map<String, V>[] live = ShardedMap.liveShards();
  private final boolean[] dirty = new boolean[ShardedMap.SHARDS];
  private boolean anyDirty;
  private ShardedMap<V> published = ShardedMap.empty();
  private final Set<String> touched = new HashSet<>();

  void put(String key, V value) {
    int shard = ShardedMap.shard(key);
    V old = live[shard].put(key, value);
    if (!Objects.equals(old, value)) {
      dirty[shard] = true;
      anyDirty = true;
      if (!(old instanceof XdsResource o
          && value instanceof XdsResource n
          && o.version().equals(n.version()))) {
        touched.add(key);
      }
    }
  }

  void remove(String key) {
    int shard = ShardedMap.shard(key);
    if (live[shard].remove(key) != null) {
      dirty[shard] = true;
      anyDirty = true;
      touched.add(key);
    }
  }

  V get(String key) {
    return live[ShardedMap.shard(key)].get(key);
  }

  /** The current content (immutable; the same instance while nothing changes). */
  Map<String, V> publish() {
    if (anyDirty) {
      published = published.with(live, dirty);
      java.util.Arrays.fill(dirty, false);
      anyDirty = false;
    }
    return published;
  }

  /** The keys whose value changed since the last call; clears them. */
  Set<String> drainTouched() {
    Set<String> out = Set.copyOf(touched);
    touched.clear();
    return out;
  }
}
