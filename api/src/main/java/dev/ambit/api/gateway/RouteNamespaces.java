package dev.ambit.api.gateway;

import dev.ambit.api.LabelSelector;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.SelfCheck;

/** Namespaces whose routes may attach ({@code from} null means Same). */
public record RouteNamespaces(FromNamespaces from, LabelSelector selector) implements SelfCheck {
  @Override
  public void check(Checks checks) {
    if (from == FromNamespaces.Selector && selector == null) {
      checks.error("selector", "required when from is Selector");
    }
    if (from != FromNamespaces.Selector && selector != null) {
      checks.error("selector", "only allowed when from is Selector");
    }
  }
}
