package dev.ambit.control.state;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map split into fixed hash shards, so that a new version differing in a few keys
 * shares every untouched shard with the previous one: publishing a changed state of a big mesh
 * copies a few small shards instead of the whole map.
 */
final class ShardedMap<V> extends AbstractMap<String, V> {

  static final int SHARDS = 128;

  private final Map<String, V>[] shards;
  private final int size;

  private ShardedMap(Map<String, V>[] shards) {
    this.shards = shards;
    int n = 0;
    for (Map<String, V> s : shards) {
      n += s.size();
    }
    this.size = n;
  }

  @SuppressWarnings("unchecked")
  static <V> ShardedMap<V> empty() {
    Map<String, V>[] shards = new Map[SHARDS];
    Arrays.fill(shards, Map.of());
    return new ShardedMap<>(shards);
  }

  static int shard(Object key) {
    return (key.hashCode() & 0x7fffffff) % SHARDS;
  }

  /**
   * A new version: the shards named in {@code dirty} are replaced by immutable copies of the
   * corresponding shards of {@code live}; the others are shared with this one.
   */
  ShardedMap<V> with(Map<String, V>[] live, boolean[] dirty) {
    Map<String, V>[] next = shards.clone();
    for (int i = 0; i < SHARDS; i++) {
      if (dirty[i]) {
        next[i] = Map.copyOf(live[i]);
      }
    }
    return new ShardedMap<>(next);
  }

  @SuppressWarnings("unchecked")
  static <V> Map<String, V>[] liveShards() {
    Map<String, V>[] live = new Map[SHARDS];
    for (int i = 0; i < SHARDS; i++) {
      live[i] = new HashMap<>();
    }
    return live;
  }

  @Override
  public V get(Object key) {
    return key == null ? null : shards[shard(key)].get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return key != null && shards[shard(key)].containsKey(key);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Entry<String, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Entry<String, V>> iterator() {
        return new Iterator<>() {
          int shard;
          Iterator<Entry<String, V>> current = shards[0].entrySet().iterator();

          @Override
          public boolean hasNext() {
            while (!current.hasNext() && shard < SHARDS - 1) {
              current = shards[++shard].entrySet().iterator();
            }
            return current.hasNext();
          }

          @Override
          public Entry<String, V> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return current.next();
          }
        };
      }
    };
  }
}
