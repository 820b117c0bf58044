package dev.ambit.ztunnel.authz;

import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Scope;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All L4 policies of a state snapshot, indexed by scope: global policies apply to every workload,
 * namespace policies to the workloads of their namespace, selector policies to the workloads that
 * name them in {@code authorization_policies}. {@link #forWorkload} builds per-workload {@link
 * PolicySet}s, sharing one set between workloads with the same namespace and selected policies.
 */
public final class PolicyIndex {

  public static final PolicyIndex EMPTY = new PolicyIndex(Map.of(), null);

  private final Map<String, CompiledPolicy> byKey;
  private final List<CompiledPolicy> global = new ArrayList<>();
  private final Map<String, List<CompiledPolicy>> byNamespace = new HashMap<>();
  private final Map<String, PolicySet> sets = new ConcurrentHashMap<>();

  /**
   * @param policies the policies by resource name
   * @param previous the index of the previous state (may be null): its compiled policies are reused
   *     when their proto did not change, and its per-workload sets when no policy changed
   */
  public PolicyIndex(Map<String, Authorization> policies, PolicyIndex previous) {
    Map<String, CompiledPolicy> earlier = previous == null ? Map.of() : previous.byKey;
    Map<String, CompiledPolicy> compiled = new HashMap<>();
    int reused = 0;
    for (Map.Entry<String, Authorization> e : policies.entrySet()) {
      CompiledPolicy old = earlier.get(e.getKey());
      boolean same = old != null && old.proto().equals(e.getValue());
      reused += same ? 1 : 0;
      CompiledPolicy p = same ? old : new CompiledPolicy(e.getValue());
      compiled.put(e.getKey(), p);
      if (p.scope() == Scope.GLOBAL) {
        global.add(p);
      } else if (p.scope() == Scope.NAMESPACE) {
        byNamespace.computeIfAbsent(p.namespace(), n -> new ArrayList<>()).add(p);
      }
    }
    this.byKey = Map.copyOf(compiled);
    if (previous != null && reused == earlier.size() && reused == compiled.size()) {
      sets.putAll(previous.sets); // same policies: workloads keep their indexed sets
    }
  }

  /** Compiled policies by resource name. */
  public Map<String, CompiledPolicy> policies() {
    return byKey;
  }

  /**
   * The policies applying to a workload in {@code namespace} that selects {@code selected}. Sets
   * are memoized, so workloads with the same namespace and selectors share one.
   */
  public PolicySet forWorkload(String namespace, Collection<String> selected) {
    TreeSet<String> names = new TreeSet<>();
    for (String s : selected) {
      CompiledPolicy p = byKey.get(s);
      if (p != null && p.scope() == Scope.WORKLOAD_SELECTOR) {
        names.add(s);
      }
    }
    String memo = namespace + "|" + String.join(",", names);
    PolicySet set = sets.get(memo);
    if (set == null) {
      List<CompiledPolicy> all = new ArrayList<>(global);
      all.addAll(byNamespace.getOrDefault(namespace, List.of()));
      for (String n : names) {
        all.add(byKey.get(n));
      }
      set = all.isEmpty() ? PolicySet.EMPTY : new PolicySet(all);
      PolicySet raced = sets.putIfAbsent(memo, set);
      set = raced != null ? raced : set;
    }
    return set;
  }
}
