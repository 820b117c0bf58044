package dev.ambit.api.schema;

import dev.ambit.api.ConfigError;
import dev.ambit.api.IntOrString;
import dev.ambit.api.SourceLocation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds {@link Node} trees to model records by reflection, checking types, required fields, unknown
 * and unimplemented fields, enum values, {@link Check} rules and {@link SelfCheck}s. Every problem
 * is reported (not just the first) with the file, the line and the field path.
 */
public final class Binder {

  private final String file;
  private final List<ConfigError> errors;

  public Binder(String file, List<ConfigError> errors) {
    this.file = file;
    this.errors = errors;
  }

  /** The field's rules as declared on its record component. */
  private record Field(Rule[] rules, Rule[] keyRules, String[] notImplemented) {
    static final Field PLAIN = new Field(new Rule[0], new Rule[0], new String[0]);

    static Field of(RecordComponent component) {
      Check check = component.getAnnotation(Check.class);
      CheckKeys keys = component.getAnnotation(CheckKeys.class);
      NotImplemented values = component.getAnnotation(NotImplemented.class);
      return new Field(
          check == null ? new Rule[0] : check.value(),
          keys == null ? new Rule[0] : keys.value(),
          values == null ? new String[0] : values.value());
    }
  }

  /**
   * Binds {@code node} (a mapping, or null for an absent one: then only required fields are
   * reported) to a record of {@code type}; {@code null} when there were errors.
   */
  public <T extends Record> T bind(Class<T> type, Node node, String path, int line) {
    Object value =
        node == null
            ? record(type, new Node.MapNode(line, Map.of()), path, line)
            : value(node, type, path, line, Field.PLAIN);
    return type.cast(value);
  }

  /** Reports an error at a line and field path. */
  public void error(int line, String path, String message) {
    errors.add(new ConfigError(new SourceLocation(file, line), path, message));
  }

  private Object value(Node node, Type type, String path, int line, Field field) {
    if (node instanceof Node.ScalarNode scalar && scalar.type() == Node.ScalarType.NULL) {
      return null;
    }
    Class<?> raw = raw(type);
    Object value;
    if (List.class.equals(raw)) {
      value = list(node, ((ParameterizedType) type).getActualTypeArguments()[0], path, field);
    } else if (Map.class.equals(raw)) {
      value = map(node, ((ParameterizedType) type).getActualTypeArguments()[1], path, field);
    } else if (raw.isRecord() && !IntOrString.class.equals(raw)) {
      value = record(raw, node, path, line);
    } else {
      value = scalar(node, raw, path, line, field);
      if (value != null) {
        for (Rule rule : field.rules()) {
          String problem = rule.problem(value);
          if (problem != null) {
            error(node.line(), path, problem);
            return null;
          }
        }
      }
    }
    return value;
  }

  private List<Object> list(Node node, Type elementType, String path, Field field) {
    if (!(node instanceof Node.ListNode list)) {
      typeError(node, path, "a list");
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < list.items().size(); i++) {
      Node item = list.items().get(i);
      String itemPath = path + "[" + i + "]";
      if (item instanceof Node.ScalarNode s && s.type() == Node.ScalarType.NULL) {
        error(item.line(), itemPath, "must not be null");
        continue;
      }
      Object value = value(item, elementType, itemPath, item.line(), field);
      if (value != null) {
        out.add(value);
      }
    }
    return out;
  }

  private Map<String, Object> map(Node node, Type valueType, String path, Field field) {
    if (!(node instanceof Node.MapNode map)) {
      typeError(node, path, "a mapping");
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Node.Entry> entry : map.entries().entrySet()) {
      String key = entry.getKey();
      int keyLine = entry.getValue().keyLine();
      String keyPath = Paths.key(path, key);
      boolean keyOk = true;
      for (Rule rule : field.keyRules()) {
        String problem = rule.problem(key);
        if (problem != null) {
          error(keyLine, keyPath, problem);
          keyOk = false;
          break;
        }
      }
      Node valueNode = entry.getValue().value();
      if (valueNode instanceof Node.ScalarNode s && s.type() == Node.ScalarType.NULL) {
        error(keyLine, keyPath, "must not be null");
        continue;
      }
      Object value = value(valueNode, valueType, keyPath, keyLine, field);
      if (keyOk && value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  private Object record(Class<?> type, Node node, String path, int line) {
    if (!(node instanceof Node.MapNode map)) {
      typeError(node, path, "a mapping");
      return null;
    }
    int errorsBefore = errors.size();
    RecordComponent[] components = type.getRecordComponents();
    Map<String, RecordComponent> byName =
        Arrays.stream(components)
            .collect(
                Collectors.toMap(
                    RecordComponent::getName, c -> c, (a, b) -> a, LinkedHashMap::new));
    NotImplemented notImplemented = type.getAnnotation(NotImplemented.class);
    List<String> unimplemented =
        notImplemented == null ? List.of() : List.of(notImplemented.value());
    for (Map.Entry<String, Node.Entry> entry : map.entries().entrySet()) {
      String key = entry.getKey();
      if (!byName.containsKey(key)) {
        String message =
            unimplemented.contains(key)
                ? "not implemented by Ambit"
                : byName.isEmpty()
                    ? "unknown field (no fields are allowed here)"
                    : "unknown field (known: " + String.join(", ", byName.keySet()) + ")";
        error(entry.getValue().keyLine(), Paths.field(path, key), message);
      }
    }
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent component = components[i];
      String fieldPath = Paths.field(path, component.getName());
      Node.Entry entry = map.entries().get(component.getName());
      int errorsBeforeField = errors.size();
      Object value =
          entry == null
              ? null
              : value(
                  entry.value(),
                  component.getGenericType(),
                  fieldPath,
                  entry.keyLine(),
                  Field.of(component));
      boolean required =
          component.isAnnotationPresent(Required.class) && errors.size() == errorsBeforeField;
      if (required && entry == null) {
        error(line, fieldPath, "required field is missing");
      } else if (required && value instanceof Collection<?> c && c.isEmpty()) {
        error(entry.keyLine(), fieldPath, "must not be empty");
      } else if (required && value instanceof String s && s.isEmpty()) {
        error(entry.keyLine(), fieldPath, "must not be empty");
      }
      args[i] = value == null ? defaultOf(component.getType()) : value;
    }
    if (errors.size() > errorsBefore) {
      return null;
    }
    Object instance;
    try {
      Constructor<?> constructor =
          type.getDeclaredConstructor(
              Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      instance = constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      error(line, path, String.valueOf(e.getCause().getMessage()));
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
    if (instance instanceof SelfCheck selfCheck) {
      selfCheck.check(
          (field, message) -> {
            String first = field.split("[.\\[]", 2)[0];
            Node.Entry entry = first.isEmpty() ? null : map.entries().get(first);
            error(
                entry == null ? line : entry.keyLine(),
                field.isEmpty() ? path : Paths.field(path, field),
                message);
          });
      if (errors.size() > errorsBefore) {
        return null;
      }
    }
    return instance;
  }

  private Object scalar(Node node, Class<?> type, String path, int line, Field field) {
    if (!(node instanceof Node.ScalarNode scalar)) {
      typeError(node, path, expected(type));
      return null;
    }
    Node.ScalarType kind = scalar.type();
    String text = scalar.text();
    if (String.class.equals(type) && kind == Node.ScalarType.STRING) {
      return text;
    }
    if ((Integer.class.equals(type) || int.class.equals(type)) && kind == Node.ScalarType.INT) {
      try {
        return Integer.valueOf(text);
      } catch (NumberFormatException e) {
        error(node.line(), path, text + " is out of range for an integer");
        return null;
      }
    }
    if ((Long.class.equals(type) || long.class.equals(type)) && kind == Node.ScalarType.INT) {
      try {
        return Long.valueOf(text);
      } catch (NumberFormatException e) {
        error(node.line(), path, text + " is out of range for an integer");
        return null;
      }
    }
    if ((Boolean.class.equals(type) || boolean.class.equals(type))
        && kind == Node.ScalarType.BOOL) {
      return Boolean.valueOf(text);
    }
    if (IntOrString.class.equals(type) && kind == Node.ScalarType.INT) {
      Object number = scalar(node, Integer.class, path, line, field);
      return number == null ? null : IntOrString.of((Integer) number);
    }
    if (IntOrString.class.equals(type) && kind == Node.ScalarType.STRING) {
      return IntOrString.of(text);
    }
    if (Duration.class.equals(type) && kind == Node.ScalarType.STRING) {
      Duration duration = GatewayDurations.parse(text);
      if (duration == null) {
        error(
            node.line(),
            path,
            Texts.quote(text) + " is not a valid duration (e.g. 10s, 1m30s, 500ms)");
      }
      return duration;
    }
    if (Instant.class.equals(type) && kind == Node.ScalarType.STRING) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        error(node.line(), path, Texts.quote(text) + " is not an RFC 3339 timestamp");
        return null;
      }
    }
    if (type.isEnum() && kind == Node.ScalarType.STRING) {
      return enumValue(type, text, node.line(), path, field);
    }
    typeError(node, path, expected(type));
    return null;
  }

  private Object enumValue(Class<?> type, String text, int line, String path, Field field) {
    Object[] constants = type.getEnumConstants();
    for (Object constant : constants) {
      if (((Enum<?>) constant).name().equals(text)) {
        return constant;
      }
    }
    String allowed =
        Arrays.stream(constants).map(c -> ((Enum<?>) c).name()).collect(Collectors.joining(", "));
    if (Arrays.asList(field.notImplemented()).contains(text)) {
      error(line, path, text + " is not implemented by Ambit (supported: " + allowed + ")");
    } else {
      error(line, path, Texts.quote(text) + " is not one of " + allowed);
    }
    return null;
  }

  private void typeError(Node node, String path, String expected) {
    error(node.line(), path, "expected " + expected + ", got " + node.describe());
  }

  private static String expected(Class<?> type) {
    if (String.class.equals(type) || type.isEnum()) {
      return "a string";
    }
    if (Integer.class.equals(type) || int.class.equals(type)) {
      return "an integer";
    }
    if (Long.class.equals(type) || long.class.equals(type)) {
      return "an integer";
    }
    if (Boolean.class.equals(type) || boolean.class.equals(type)) {
      return "true or false";
    }
    if (IntOrString.class.equals(type)) {
      return "an integer or a string";
    }
    if (Duration.class.equals(type)) {
      return "a duration string (e.g. 10s)";
    }
    if (Instant.class.equals(type)) {
      return "a timestamp string";
    }
    throw new IllegalStateException("unsupported field type " + type.getName());
  }

  private static Object defaultOf(Class<?> type) {
    if (int.class.equals(type)) {
      return 0;
    }
    if (long.class.equals(type)) {
      return 0L;
    }
    if (boolean.class.equals(type)) {
      return false;
    }
    return null;
  }

  static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("unsupported field type " + type);
  }
}
