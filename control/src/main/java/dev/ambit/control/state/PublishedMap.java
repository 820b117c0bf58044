package dev.ambit.control.state;

import dev.ambit.control.xds.XdsResource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A map the builder changes in place and publishes as immutable copies: a copy is made only when
 * something changed since the last one. For xDS resources it also collects the names whose content
 * changed (added, new version, removed) since the last copy.
 */
final class PublishedMap<V> {

  private final Map<String, V> live = new HashMap<>();
  private Map<String, V> published = Map.of();
  private boolean dirty;
  private final Set<String> touched = new HashSet<>();

  void put(String key, V value) {
    V old = live.put(key, value);
    if (!Objects.equals(old, value)) {
      dirty = true;
      if (!(old instanceof XdsResource o
          && value instanceof XdsResource n
          && o.version().equals(n.version()))) {
        touched.add(key);
      }
    }
  }

  void remove(String key) {
    if (live.remove(key) != null) {
      dirty = true;
      touched.add(key);
    }
  }

  V get(String key) {
    return live.get(key);
  }

  /** The current content (immutable; the same instance while nothing changes). */
  Map<String, V> publish() {
    if (dirty) {
      published = Map.copyOf(live);
      dirty = false;
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
