package dev.ambit.cli.install;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chart values: the chart's defaults, deep-merged with values files in order, then {@code --set}
 * assignments ({@code a.b.c=value}, several separated by commas; {@code true}/{@code false},
 * integers and {@code null} are typed like helm does, everything else is a string).
 */
final class Values {
  private Values() {}

  /** Deep-merges {@code overlay} into {@code base} (maps merge, anything else replaces). */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> base, Map<String, Object> overlay) {
    overlay.forEach(
        (k, v) -> {
          Object old = base.get(k);
          if (old instanceof Map<?, ?> oldMap && v instanceof Map<?, ?> newMap) {
            merge((Map<String, Object>) oldMap, (Map<String, Object>) newMap);
          } else {
            base.put(k, v);
          }
        });
  }

  /** Applies one {@code --set} argument. */
  @SuppressWarnings("unchecked")
  static void set(Map<String, Object> values, String assignments) {
    for (String assignment : assignments.split(",")) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got " + assignment);
      }
      String[] path = assignment.substring(0, eq).split("\\.");
      Map<String, Object> node = values;
      for (int i = 0; i < path.length - 1; i++) {
        Object next = node.get(path[i]);
        if (!(next instanceof Map<?, ?>)) {
          next = new LinkedHashMap<String, Object>();
          node.put(path[i], next);
        }
        node = (Map<String, Object>) next;
      }
      node.put(path[path.length - 1], typed(assignment.substring(eq + 1)));
    }
  }

  static Object typed(String v) {
    switch (v) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      case "null":
        return null;
      default:
        break;
    }
    if (v.matches("-?(0|[1-9][0-9]{0,17})")) {
      return Long.parseLong(v);
    }
    return v;
  }
}
