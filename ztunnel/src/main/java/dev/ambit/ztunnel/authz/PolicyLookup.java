package dev.ambit.ztunnel.authz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policies of one action (DENY or ALLOW) that apply to a destination, indexed so that a
 * connection is only tried against the policies it could match. A policy whose every rule requires
 * one of a known set of values of a field ({@link IndexedField}: exact principals or namespaces,
 * source blocks, ports) is filed under those values, in the field whose fullest bucket among its
 * values is smallest; the others are tried for every connection. Lookups allocate nothing.
 */
final class PolicyLookup {

  private static final CompiledPolicy[] NONE = new CompiledPolicy[0];

  private final CompiledPolicy[] unindexed;
  private final Map<String, CompiledPolicy[]> byPrincipal;
  private final Map<String, CompiledPolicy[]> byNamespace;
  private final CidrTrie bySourceIp = new CidrTrie();
  private final int[] ports;
  private final CompiledPolicy[][] byPort;

  PolicyLookup(List<CompiledPolicy> policies) {
    List<Map<IndexedField, Set<Object>>> options = new ArrayList<>();
    Map<IndexedField, Map<Object, Integer>> counts = new EnumMap<>(IndexedField.class);
    for (CompiledPolicy p : policies) {
      Map<IndexedField, Set<Object>> byField = new EnumMap<>(IndexedField.class);
      for (IndexedField f : IndexedField.values()) {
        Set<Object> values = p.required(f);
        if (values != null) {
          byField.put(f, values);
          Map<Object, Integer> c = counts.computeIfAbsent(f, k -> new HashMap<>());
          values.forEach(v -> c.merge(v, 1, Integer::sum));
        }
      }
      options.add(byField);
    }
    List<CompiledPolicy> rest = new ArrayList<>();
    Map<IndexedField, Map<Object, List<CompiledPolicy>>> index = new EnumMap<>(IndexedField.class);
    for (int i = 0; i < policies.size(); i++) {
      CompiledPolicy p = policies.get(i);
      IndexedField best = null;
      int bestSize = Integer.MAX_VALUE;
      for (Map.Entry<IndexedField, Set<Object>> e : options.get(i).entrySet()) {
        Map<Object, Integer> c = counts.get(e.getKey());
        int size = e.getValue().stream().mapToInt(c::get).max().orElse(0);
        if (size < bestSize) {
          best = e.getKey();
          bestSize = size;
        }
      }
      if (best == null) {
        rest.add(p);
        continue;
      }
      Map<Object, List<CompiledPolicy>> buckets = index.computeIfAbsent(best, k -> new HashMap<>());
      for (Object v : options.get(i).get(best)) {
        buckets.computeIfAbsent(v, k -> new ArrayList<>()).add(p);
      }
    }
    unindexed = rest.toArray(NONE);
    byPrincipal = strings(index.get(IndexedField.PRINCIPAL));
    byNamespace = strings(index.get(IndexedField.NAMESPACE));
    index
        .getOrDefault(IndexedField.SOURCE_IP, Map.of())
        .forEach((block, list) -> list.forEach(p -> bySourceIp.add((Cidr) block, p)));
    bySourceIp.freeze();
    Map<Object, List<CompiledPolicy>> portBuckets = index.getOrDefault(IndexedField.PORT, Map.of());
    ports = portBuckets.keySet().stream().mapToInt(o -> (Integer) o).sorted().toArray();
    byPort = new CompiledPolicy[ports.length][];
    for (int i = 0; i < ports.length; i++) {
      byPort[i] = portBuckets.get(ports[i]).toArray(NONE);
    }
  }

  private static Map<String, CompiledPolicy[]> strings(Map<Object, List<CompiledPolicy>> buckets) {
    if (buckets == null) {
      return Map.of();
    }
    Map<String, CompiledPolicy[]> out = new HashMap<>();
    buckets.forEach((k, v) -> out.put((String) k, v.toArray(NONE)));
    return Map.copyOf(out);
  }

  /** The decision of a policy matching {@code c}, or null when none does. */
  Decision first(ConnectionAttributes c) {
    Decision d = first(unindexed, c);
    if (d == null && !byPrincipal.isEmpty()) {
      d = first(byPrincipal.get(c.sourcePrincipal()), c);
    }
    if (d == null && !byNamespace.isEmpty()) {
      d = first(byNamespace.get(c.sourceNamespace()), c);
    }
    if (d == null) {
      d = bySourceIp.first(c);
    }
    if (d == null && ports.length > 0) {
      int i = Arrays.binarySearch(ports, c.destinationPort());
      d = i >= 0 ? first(byPort[i], c) : null;
    }
    return d;
  }

  static Decision first(CompiledPolicy[] policies, ConnectionAttributes c) {
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
}
