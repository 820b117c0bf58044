package dev.ambit.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Normalises collection fields of model records: never null, immutable, order kept. */
public final class Values {
  private Values() {}

  public static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  public static <V> Map<String, V> map(Map<String, V> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    map.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            throw new NullPointerException("null key or value in " + map);
          }
        });
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
