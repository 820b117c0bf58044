package dev.ambit.ztunnel.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * The policies that apply to one destination workload, split by action and kept as arrays so
 * evaluation walks them without allocating. Semantics: any matching DENY denies; with no ALLOW
 * policy the connection is allowed; a matching ALLOW allows; otherwise it is denied.
 */
public final class PolicySet {

  public static final PolicySet EMPTY = new PolicySet(List.of());

  private final CompiledPolicy[] deny;
  private final CompiledPolicy[] allow;

  public PolicySet(List<CompiledPolicy> policies) {
    List<CompiledPolicy> d = new ArrayList<>();
    List<CompiledPolicy> a = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      (p.deny() ? d : a).add(p);
    }
    this.deny = d.toArray(CompiledPolicy[]::new);
    this.allow = a.toArray(CompiledPolicy[]::new);
  }

  public Decision evaluate(ConnectionAttributes c) {
    for (CompiledPolicy p : deny) {
      if (p.matches(c)) {
        return p.decision();
      }
    }
    if (allow.length == 0) {
      return Decision.NO_ALLOW_POLICY;
    }
    for (CompiledPolicy p : allow) {
      if (p.matches(c)) {
        return p.decision();
      }
    }
    return Decision.NO_ALLOW_MATCH;
  }

  /** Names of the policies in this set, DENY first, for diagnostics. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (CompiledPolicy p : deny) {
      keys.add(p.key());
    }
    for (CompiledPolicy p : allow) {
      keys.add(p.key());
    }
    return keys;
  }

  public int size() {
    return deny.length + allow.length;
  }
}
