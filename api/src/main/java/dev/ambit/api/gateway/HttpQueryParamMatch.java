package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;

/** A query parameter match; {@code type} null means Exact. Names compare exactly. */
public record HttpQueryParamMatch(
    HeaderMatchType type, @Required @Check(Rule.NOT_EMPTY) String name, @Required String value)
    implements SelfCheck {

  @Override
  public void check(Checks checks) {
    Regexes.check(checks, type, value);
  }
}
