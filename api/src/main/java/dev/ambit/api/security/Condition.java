package dev.ambit.api.security;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code when} condition: an attribute {@code key} and the values it must (not) have. Ambit
 * implements the keys {@code source.ip}, {@code source.namespace}, {@code source.principal}, {@code
 * destination.ip}, {@code destination.port}, {@code connection.sni} and {@code
 * request.headers[NAME]} (the last one only at a waypoint).
 */
public record Condition(@Required String key, List<String> values, List<String> notValues)
    implements SelfCheck {

  private static final List<String> KEYS =
      List.of(
          "source.ip",
          "source.namespace",
          "source.principal",
          "destination.ip",
          "destination.port",
          "connection.sni");
  private static final Pattern HEADER_KEY = Pattern.compile("request\\.headers\\[[^\\]]+\\]");

  public Condition {
    values = Values.list(values);
    notValues = Values.list(notValues);
  }

  /** Whether the key needs HTTP (request headers) and so a waypoint. */
  public boolean isL7() {
    return key.startsWith("request.");
  }

  @Override
  public void check(Checks checks) {
    if (!KEYS.contains(key) && !HEADER_KEY.matcher(key).matches()) {
      checks.error(
          "key",
          "\""
              + key
              + "\" is not a condition key Ambit implements (known: "
              + String.join(", ", KEYS)
              + ", request.headers[NAME])");
      return;
    }
    if (values.isEmpty() && notValues.isEmpty()) {
      checks.error("", "a condition needs values or notValues");
    }
    Rule rule =
        switch (key) {
          case "source.ip", "destination.ip" -> Rule.CIDR;
          case "destination.port" -> Rule.PORT_STRING;
          default -> null;
        };
    if (rule != null) {
      checkAll(checks, rule, "values", values);
      checkAll(checks, rule, "notValues", notValues);
    }
  }

  private static void checkAll(Checks checks, Rule rule, String field, List<String> list) {
    for (int i = 0; i < list.size(); i++) {
      String problem = rule.check(list.get(i));
      if (problem != null) {
        checks.error(field + "[" + i + "]", problem);
      }
    }
  }
}
