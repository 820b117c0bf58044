package dev.ambit.ztunnel.authz;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policies that apply to one destination workload, split by action and kept as arrays so
 * evaluation walks them without allocating. Semantics: any matching DENY denies; with no ALLOW
 * policy the connection is allowed; a matching ALLOW allows; otherwise it is denied.
 *
 * <p>Policies that can only match a known set of exact principals are indexed by principal, so a
 * workload with thousands of per-client policies is checked against the few of its client only.
 */
public final class PolicySet {

  private static final CompiledPolicy[] NONE = new CompiledPolicy[0];

  public static final PolicySet EMPTY = new PolicySet(List.of());

  private final List<CompiledPolicy> all;
  private final boolean anyAllow;
  private final CompiledPolicy[] deny;
  private final CompiledPolicy[] allow;
  private final Map<String, CompiledPolicy[]> denyByPrincipal;
  private final Map<String, CompiledPolicy[]> allowByPrincipal;

  public PolicySet(List<CompiledPolicy> policies) {
    this.all = List.copyOf(policies);
    List<CompiledPolicy> d = new ArrayList<>();
    List<CompiledPolicy> a = new ArrayList<>();
    Map<String, List<CompiledPolicy>> dIndex = new HashMap<>();
    Map<String, List<CompiledPolicy>> aIndex = new HashMap<>();
    boolean allows = false;
    for (CompiledPolicy p : policies) {
      allows |= !p.deny();
      Set<String> principals = p.requiredPrincipals();
      if (principals == null) {
        (p.deny() ? d : a).add(p);
      } else {
        for (String principal : principals) {
          (p.deny() ? dIndex : aIndex).computeIfAbsent(principal, k -> new ArrayList<>()).add(p);
        }
      }
    }
    this.anyAllow = allows;
    this.deny = d.toArray(NONE);
    this.allow = a.toArray(NONE);
    this.denyByPrincipal = freeze(dIndex);
    this.allowByPrincipal = freeze(aIndex);
  }

  private static Map<String, CompiledPolicy[]> freeze(Map<String, List<CompiledPolicy>> index) {
    Map<String, CompiledPolicy[]> out = new HashMap<>();
    index.forEach((k, v) -> out.put(k, v.toArray(NONE)));
    return Map.copyOf(out);
  }

  public Decision evaluate(ConnectionAttributes c) {
    Decision d = first(deny, c);
    if (d == null && !denyByPrincipal.isEmpty()) {
      d = first(denyByPrincipal.get(c.sourcePrincipal()), c);
    }
    if (d != null) {
      return d;
    }
    if (!anyAllow) {
      return Decision.NO_ALLOW_POLICY;
    }
    d = first(allow, c);
    if (d == null && !allowByPrincipal.isEmpty()) {
      d = first(allowByPrincipal.get(c.sourcePrincipal()), c);
    }
    return d != null ? d : Decision.NO_ALLOW_MATCH;
  }

  private static Decision first(CompiledPolicy[] policies, ConnectionAttributes c) {
    if (policies == null) {
      return null;
    }
    for (CompiledPolicy p : policies) {
      if (p.matches(c)) {
        return p.decision();
      }
    }
    return null;
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
