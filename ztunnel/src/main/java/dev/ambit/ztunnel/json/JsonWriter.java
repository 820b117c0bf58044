package dev.ambit.ztunnel.json;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Renders maps, collections, strings, numbers, booleans and null as JSON text; anything else is
 * written as its {@code toString()} string. Map keys are written as strings. Enough for the
 * ztunnel's small documents (the pods socket's replies, the config dump) without a JSON library and
 * its hundreds of classes in every ztunnel.
 */
public final class JsonWriter {

  private final StringBuilder out = new StringBuilder();
  private final boolean indent;

  private JsonWriter(boolean indent) {
    this.indent = indent;
  }

  /** Compact JSON on one line. */
  public static String compact(Object value) {
    JsonWriter w = new JsonWriter(false);
    w.write(value, 0);
    return w.out.toString();
  }

  /** JSON with one member or element per line, indented by two spaces per level. */
  public static String indented(Object value) {
    JsonWriter w = new JsonWriter(true);
    w.write(value, 0);
    return w.out.toString();
  }

  /** Appends {@code s} as a JSON string literal, quotes included. */
  public static StringBuilder quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(Character.forDigit(c >> 4, 16));
            out.append(Character.forDigit(c & 0xf, 16));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }

  private void write(Object value, int depth) {
    switch (value) {
      case null -> out.append("null");
      case String s -> quote(out, s);
      case Boolean b -> out.append(b);
      case Integer n -> out.append(n);
      case Long n -> out.append(n);
      case Number n -> out.append(number(n));
      case Map<?, ?> m -> members(m, depth);
      case Collection<?> c -> elements(c, depth);
      default -> quote(out, value.toString());
    }
  }

  private static String number(Number n) {
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("not a JSON number: " + n);
    }
    return n.toString();
  }

  private void members(Map<?, ?> map, int depth) {
    out.append('{');
    Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<?, ?> e = it.next();
      newline(depth + 1);
      quote(out, String.valueOf(e.getKey())).append(indent ? ": " : ":");
      write(e.getValue(), depth + 1);
      if (it.hasNext()) {
        out.append(',');
      }
    }
    if (!map.isEmpty()) {
      newline(depth);
    }
    out.append('}');
  }

  private void elements(Collection<?> list, int depth) {
    out.append('[');
    Iterator<?> it = list.iterator();
    while (it.hasNext()) {
      newline(depth + 1);
      write(it.next(), depth + 1);
      if (it.hasNext()) {
        out.append(',');
      }
    }
    if (!list.isEmpty()) {
      newline(depth);
    }
    out.append(']');
  }

  private void newline(int depth) {
    if (indent) {
      out.append('\n').repeat("  ", depth);
    }
  }
}
