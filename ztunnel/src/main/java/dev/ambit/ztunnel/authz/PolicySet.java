package dev.ambit.ztunnel.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * The policies that apply to one destination workload, split by action and indexed ({@link
 * PolicyLookup}) so evaluation only tries the policies a connection could match, without
 * allocating. Semantics: any matching DENY denies; with no ALLOW policy the connection is allowed;
 * a matching ALLOW allows; otherwise it is denied.
 */
public final class PolicySet {

  public static final PolicySet EMPTY = new PolicySet(List.of());

  private final List<CompiledPolicy> all;
  private final boolean anyAllow;
  private final PolicyLookup deny;
  private final PolicyLookup allow;

  public PolicySet(List<CompiledPolicy> policies) {
    this.all = List.copyOf(policies);
    List<CompiledPolicy> d = new ArrayList<>();
    List<CompiledPolicy> a = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      (p.deny() ? d : a).add(p);
    }
    this.anyAllow = !a.isEmpty();
    this.deny = new PolicyLookup(d);
    this.allow = new PolicyLookup(a);
  }

  public Decision evaluate(ConnectionAttributes c) {
    Decision d = deny.first(c);
    if (d != null) {
      return d;
    }
    if (!anyAllow) {
      return Decision.NO_ALLOW_POLICY;
    }
    d = allow.first(c);
    return d != null ? d : Decision.NO_ALLOW_MATCH;
  }

  /** Names of the policies in this set, DENY first, for diagnostics. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (CompiledPolicy p : all) {
      if (p.deny()) {
        keys.add(p.key());
      }
    }
    for (CompiledPolicy p : all) {
      if (!p.deny()) {
        keys.add(p.key());
      }
    }
    return keys;
  }

  public int size() {
    return all.size();
  }
}
