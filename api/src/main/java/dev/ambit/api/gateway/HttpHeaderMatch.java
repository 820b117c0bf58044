package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;

/** A request header match; {@code type} null means Exact. Names compare case-insensitively. */
public record HttpHeaderMatch(
    HeaderMatchType type, @Required @Check(Rule.HEADER_NAME) String name, @Required String value)
    implements SelfCheck {

  @Override
  public void check(Checks checks) {
    Regexes.check(checks, type, value);
  }
}
