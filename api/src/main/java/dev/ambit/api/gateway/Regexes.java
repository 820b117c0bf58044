package dev.ambit.api.gateway;

import dev.ambit.api.schema.Checks;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Checks a match value that is a regular expression. */
final class Regexes {
  private Regexes() {}

  static void check(Checks checks, HeaderMatchType type, String value) {
    if (type == HeaderMatchType.RegularExpression) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        checks.error("value", "invalid regular expression: " + e.getDescription());
      }
    }
  }
}
