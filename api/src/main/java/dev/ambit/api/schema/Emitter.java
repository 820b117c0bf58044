package dev.ambit.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ambit.api.IntOrString;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writes model records to a Jackson tree, the inverse of {@link Binder}: record components become
 * fields in declaration order; {@code null} fields and empty lists and maps are left out.
 */
public final class Emitter {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Emitter() {}

  /** The tree of {@code value} (a record, list, map or scalar of a supported type). */
  public static JsonNode emit(Object value) {
    return switch (value) {
      case String s -> NODES.textNode(s);
      case Integer i -> NODES.numberNode(i);
      case Long l -> NODES.numberNode(l);
      case Boolean b -> NODES.booleanNode(b);
      case IntOrString ios ->
          ios.isInt() ? NODES.numberNode(ios.intValue()) : NODES.textNode(ios.stringValue());
      case Duration d -> {
        String text = GatewayDurations.format(d);
        if (text == null) {
          throw new IllegalArgumentException(d + " cannot be written as a Gateway API duration");
        }
        yield NODES.textNode(text);
      }
      case Instant t -> NODES.textNode(t.toString());
      case Enum<?> e -> NODES.textNode(e.name());
      case List<?> list -> {
        ArrayNode array = NODES.arrayNode();
        list.forEach(item -> array.add(emit(item)));
        yield array;
      }
      case Map<?, ?> map -> {
        ObjectNode object = NODES.objectNode();
        map.forEach((k, v) -> object.set((String) k, emit(v)));
        yield object;
      }
      case Record record -> record(record);
      default -> throw new IllegalArgumentException("cannot write " + value.getClass());
    };
  }

  private static ObjectNode record(Record record) {
    ObjectNode object = NODES.objectNode();
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + component, e);
      }
      if (value == null
          || (value instanceof Collection<?> c && c.isEmpty())
          || (value instanceof Map<?, ?> m && m.isEmpty())) {
        continue;
      }
      object.set(component.getName(), emit(value));
    }
    return object;
  }
}
