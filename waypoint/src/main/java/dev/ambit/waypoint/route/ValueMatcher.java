package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.ValueMatch;
import java.util.regex.Pattern;

/** A header or query-parameter match: a name and an exact value or a regular expression. */
record ValueMatcher(String name, String exact, Pattern regex) {

  static ValueMatcher of(ValueMatch m) {
    return m.getType() == ValueMatch.Type.REGULAR_EXPRESSION
        ? new ValueMatcher(m.getName(), null, Pattern.compile(m.getValue()))
        : new ValueMatcher(m.getName(), m.getValue(), null);
  }

  boolean test(String value) {
    if (value == null) {
      return false;
    }
    return exact != null ? exact.equals(value) : regex.matcher(value).matches();
  }
}
