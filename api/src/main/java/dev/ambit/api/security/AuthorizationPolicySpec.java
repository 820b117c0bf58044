package dev.ambit.api.security;

import dev.ambit.api.LabelSelector;
import dev.ambit.api.Spec;
import dev.ambit.api.Values;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.SelfCheck;
import java.util.List;
import java.util.stream.Stream;

/**
 * An Istio AuthorizationPolicy ({@code security.istio.io} v1 and v1beta1). It applies to the
 * workloads its {@code selector} matches, or to what {@code targetRef}/{@code targetRefs} name, or
 * (neither given) to the whole namespace. {@code action} null means ALLOW.
 */
@NotImplemented("provider")
public record AuthorizationPolicySpec(
    LabelSelector selector,
    PolicyTargetReference targetRef,
    List<PolicyTargetReference> targetRefs,
    @NotImplemented({"AUDIT", "CUSTOM"}) AuthorizationAction action,
    List<AuthorizationRule> rules)
    implements Spec, SelfCheck {

  public AuthorizationPolicySpec {
    targetRefs = Values.list(targetRefs);
    rules = Values.list(rules);
  }

  /** The action, applying the default (ALLOW). */
  public AuthorizationAction effectiveAction() {
    return action == null ? AuthorizationAction.ALLOW : action;
  }

  /** {@code targetRef} and {@code targetRefs} together. */
  public List<PolicyTargetReference> allTargetRefs() {
    return targetRef == null
        ? targetRefs
        : Stream.concat(Stream.of(targetRef), targetRefs.stream()).toList();
  }

  @Override
  public void check(Checks checks) {
    if (targetRef != null && !targetRefs.isEmpty()) {
      checks.error("targetRef", "set either targetRef or targetRefs, not both");
    }
    if (selector != null && (targetRef != null || !targetRefs.isEmpty())) {
      checks.error("selector", "set either selector or targetRef(s), not both");
    }
  }
}
