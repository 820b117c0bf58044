package dev.ambit.api.gateway;

import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** A path match; {@code type} null means PathPrefix and {@code value} null means "/". */
public record HttpPathMatch(PathMatchType type, String value) implements SelfCheck {

  public PathMatchType effectiveType() {
    return type == null ? PathMatchType.PathPrefix : type;
  }

  public String effectiveValue() {
    return value == null ? "/" : value;
  }

  @Override
  public void check(Checks checks) {
    if (value == null) {
      return;
    }
    if (effectiveType() == PathMatchType.RegularExpression) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        checks.error("value", "invalid regular expression: " + e.getDescription());
      }
    } else {
      String problem = Rule.HTTP_PATH.check(value);
      if (problem != null) {
        checks.error("value", problem);
      }
    }
  }
}
