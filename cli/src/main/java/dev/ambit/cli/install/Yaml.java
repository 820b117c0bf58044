package dev.ambit.cli.install;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** YAML reading of values files and helm-like {@code toYaml} output (sorted keys, block style). */
final class Yaml {
  private Yaml() {}

  /** Reads a YAML mapping; an empty document is an empty map. */
  static Map<String, Object> loadMap(String text, String source) {
    Object o = new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    if (o == null) {
      return new LinkedHashMap<>();
    }
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(source + ": expected a YAML mapping at the top level");
    }
    return mutable(m);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mutable(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> out.put(String.valueOf(k), v instanceof Map<?, ?> inner ? mutable(inner) : v));
    return out;
  }

  /** Block-style YAML of {@code value} with map keys sorted and no trailing newline. */
  static String dump(Object value) {
    if (value == null) {
      return "null";
    }
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndent(2);
    o.setWidth(Integer.MAX_VALUE);
    o.setSplitLines(false);
    String text = new org.yaml.snakeyaml.Yaml(o).dump(sorted(value));
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  private static Object sorted(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), sorted(x)));
      return out;
    }
    if (v instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>();
      c.forEach(x -> out.add(sorted(x)));
      return out;
    }
    return v;
  }
}
