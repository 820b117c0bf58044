package dev.ambit.api.schema;

import java.util.regex.Pattern;

/** Builds field paths such as {@code spec.rules[0].to} and {@code metadata.labels["a/b"]}. */
public final class Paths {
  private static final Pattern SIMPLE = Pattern.compile("[A-Za-z0-9_-]+");

  private Paths() {}

  public static String field(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public static String key(String path, String key) {
    return SIMPLE.matcher(key).matches() ? field(path, key) : path + "[" + Texts.quote(key) + "]";
  }
}
