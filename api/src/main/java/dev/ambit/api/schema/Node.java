package dev.ambit.api.schema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed YAML/JSON value that remembers the line it started on (1-based). */
public sealed interface Node {

  int line();

  /** A short description of the value for type errors, e.g. {@code string "http"}. */
  String describe();

  /** A mapping; entries keep input order and the line of each key. */
  record MapNode(int line, Map<String, Entry> entries) implements Node {
    public MapNode {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** One key of a mapping: the line of the key and its value. */
  record Entry(int keyLine, Node value) {}

  /** A sequence. */
  record ListNode(int line, List<Node> items) implements Node {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A scalar with the type YAML resolved for it (quoted scalars are always strings). */
  record ScalarNode(int line, ScalarType type, String text) implements Node {
    @Override
    public String describe() {
      return switch (type) {
        case STRING -> "string " + Texts.quote(text);
        case INT -> "integer " + text;
        case FLOAT -> "number " + text;
        case BOOL -> "boolean " + text;
        case NULL -> "null";
      };
    }
  }

  /** How YAML resolved a scalar. */
  enum ScalarType {
    STRING,
    INT,
    FLOAT,
    BOOL,
    NULL
  }
}
