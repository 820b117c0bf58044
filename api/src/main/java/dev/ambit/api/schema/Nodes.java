package dev.ambit.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts Jackson trees (e.g. from {@link Emitter}) to {@link Node}s, all on one line. */
public final class Nodes {
  private Nodes() {}

  public static Node fromJson(JsonNode json, int line) {
    if (json.isObject()) {
      Map<String, Node.Entry> entries = new LinkedHashMap<>();
      json.properties()
          .forEach(
              e -> entries.put(e.getKey(), new Node.Entry(line, fromJson(e.getValue(), line))));
      return new Node.MapNode(line, entries);
    }
    if (json.isArray()) {
      List<Node> items = new ArrayList<>();
      json.forEach(item -> items.add(fromJson(item, line)));
      return new Node.ListNode(line, items);
    }
    if (json.isNull()) {
      return new Node.ScalarNode(line, Node.ScalarType.NULL, "null");
    }
    if (json.isBoolean()) {
      return new Node.ScalarNode(line, Node.ScalarType.BOOL, json.asText());
    }
    if (json.isIntegralNumber()) {
      return new Node.ScalarNode(line, Node.ScalarType.INT, json.asText());
    }
    if (json.isNumber()) {
      return new Node.ScalarNode(line, Node.ScalarType.FLOAT, json.asText());
    }
    return new Node.ScalarNode(line, Node.ScalarType.STRING, json.asText());
  }
}
