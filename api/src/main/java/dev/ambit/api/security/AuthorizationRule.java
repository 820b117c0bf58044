package dev.ambit.api.security;

import dev.ambit.api.Values;
import java.util.List;

/**
 * One rule of an AuthorizationPolicy: it matches when a {@code from} entry, a {@code to} entry and
 * all {@code when} conditions match (an empty list matches anything).
 */
public record AuthorizationRule(List<From> from, List<To> to, List<Condition> when) {

  public AuthorizationRule {
    from = Values.list(from);
    to = Values.list(to);
    when = Values.list(when);
  }

  /** Whether evaluating this rule needs HTTP attributes (and so a waypoint). */
  public boolean isL7() {
    return to.stream().anyMatch(t -> t.operation().isL7())
        || when.stream().anyMatch(Condition::isL7);
  }
}
