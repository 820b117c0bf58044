package dev.ambit.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.Kind;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.PodPhase;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.control.xds.XdsResource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property test: over random sequences of changes (namespaces relabelled, waypoints and their
 * services appearing and disappearing, services reselecting, pods relabelled and moving in and out
 * of the mesh, policies and PeerAuthentications changing scope and mode), the incrementally updated
 * state always equals a from-scratch build of the same snapshot, and each state's delta names
 * exactly the xDS resources that changed.
 */
class IncrementalBuildTest {

  private static final String[] NAMESPACES = {"ns0", "ns1", "istio-system"};

  @Test
  void incrementalStateEqualsFromScratchBuildOverRandomChangeSequences() throws Exception {
    for (long seed = 1; seed <= 25; seed++) {
      run(seed, 40);
    }
  }

  private void run(long seed, int steps) throws Exception {
    Random random = new Random(seed);
    ConfigStore store = new ConfigStore();
    MeshStateBuilder byKeys = new MeshStateBuilder("cluster.local");
    MeshStateBuilder byComparison = new MeshStateBuilder("cluster.local");
    MeshState previous = byKeys.update(store.snapshot(), List.of());
    byComparison.build(store.snapshot());
    for (int step = 0; step < steps; step++) {
      Set<ResourceKey> changed = new HashSet<>();
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        changed.add(randomChange(random, store));
      }
      String where = "seed " + seed + " step " + step + " after " + changed;
      MeshState incremental = byKeys.update(store.snapshot(), changed);
      MeshState compared = byComparison.build(store.snapshot());
      MeshState scratch = new MeshStateBuilder("cluster.local").build(store.snapshot());
      assertSameState(where, incremental, scratch);
      assertSameState(where, compared, scratch);
      for (var e : incremental.xds().entrySet()) {
        assertThat(incremental.delta().touched().get(e.getKey()))
            .as(where + " delta of " + e.getKey())
            .isEqualTo(changedNames(previous.xds().get(e.getKey()), e.getValue()));
      }
      assertThat(incremental.delta().base()).isSameAs(previous.xds());
      previous = incremental;
    }
  }

  private static Set<String> changedNames(
      Map<String, XdsResource> before, Map<String, XdsResource> after) {
    Set<String> out = new HashSet<>();
    after.forEach(
        (name, r) -> {
          XdsResource old = before.get(name);
          if (old == null || !old.version().equals(r.version())) {
            out.add(name);
          }
        });
    before.keySet().stream().filter(n -> !after.containsKey(n)).forEach(out::add);
    return out;
  }

  private static void assertSameState(String where, MeshState actual, MeshState expected) {
    assertSame(where + " workloads", actual.workloads(), expected.workloads());
    assertSame(where + " services", actual.services(), expected.services());
    assertSame(where + " authorizations", actual.authorizations(), expected.authorizations());
    assertSame(where + " l7", actual.l7Authorizations(), expected.l7Authorizations());
    assertSame(where + " routes", actual.routes(), expected.routes());
    assertSame(where + " pods", actual.pods(), expected.pods());
    assertSame(where + " problems", actual.problems(), expected.problems());
    for (var e : expected.xds().entrySet()) {
      assertSame(where + " xds " + e.getKey(), actual.xds().get(e.getKey()), e.getValue());
    }
    assertThat(actual.xds().keySet()).isEqualTo(expected.xds().keySet());
  }

  /** Equal maps; on failure names only the entries that differ. */
  private static void assertSame(String what, Map<String, ?> actual, Map<String, ?> expected) {
    Map<String, String> differences = new java.util.TreeMap<>();
    Set<String> keys = new HashSet<>(actual.keySet());
    keys.addAll(expected.keySet());
    for (String k : keys) {
      if (!java.util.Objects.equals(actual.get(k), expected.get(k))) {
        differences.put(k, "incremental " + actual.get(k) + " | from scratch " + expected.get(k));
      }
    }
    assertThat(differences).as(what).isEmpty();
  }

  /** Applies one random change; returns the key it changed. */
  private static ResourceKey randomChange(Random r, ConfigStore store) throws ConfigException {
    String ns = pick(r, NAMESPACES);
    int kind = r.nextInt(8);
    String yaml;
    ResourceKey key;
    switch (kind) {
      case 0 -> {
        key = new ResourceKey(Kind.NAMESPACE, null, ns);
        yaml =
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "
                + ns
                + "\n  labels: {"
                + labels(
                    r,
                    "istio.io/dataplane-mode",
                    new String[] {"ambient", "none"},
                    "istio.io/use-waypoint",
                    new String[] {"wp0", "wp1", "none"})
                + "}\n";
      }
      case 1 -> {
        String name = "wp" + r.nextInt(2);
        ns = "ns" + r.nextInt(2);
        key = new ResourceKey(Kind.GATEWAY, ns, name);
        yaml =
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: "
                + name
                + "\n  namespace: "
                + ns
                + "\n  labels: {"
                + labels(
                    r,
                    "istio.io/waypoint-for",
                    new String[] {"service", "workload", "all", "none"},
                    "x",
                    new String[] {"y"})
                + "}\nspec:\n  gatewayClassName: "
                + (r.nextInt(5) == 0 ? "other" : "istio-waypoint")
                + "\n  listeners: [{name: mesh, port: 15008, protocol: HBONE}]\n";
      }
      case 2 -> {
        String name = r.nextBoolean() ? "wp" + r.nextInt(2) : "svc" + r.nextInt(3);
        ns = "ns" + r.nextInt(2);
        key = new ResourceKey(Kind.SERVICE, ns, name);
        yaml =
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: "
                + name
                + "\n  namespace: "
                + ns
                + "\n  labels: {"
                + labels(
                    r,
                    "istio.io/use-waypoint",
                    new String[] {"wp0", "wp1", "none"},
                    "a",
                    new String[] {"b"})
                + "}\nspec:\n"
                + (r.nextInt(4) == 0 ? "" : "  clusterIP: 10.96.1." + (1 + r.nextInt(200)) + "\n")
                + (r.nextInt(3) == 0 ? "" : "  selector: {app: " + pick(r, "a", "b") + "}\n")
                + "  ports: [{name: http, port: 80, targetPort: "
                + pick(r, "8080", "web", "missing")
                + "}]\n";
      }
      case 3, 4 -> {
        String name = "pod" + r.nextInt(5);
        key = new ResourceKey(Kind.POD, ns, name);
        if (r.nextInt(4) == 0 && store.get(key).isPresent()) {
          store.updateStatus(
              key, new PodStatus(PodPhase.Running, null, "10.241.1." + (2 + r.nextInt(200))));
          return key;
        }
        yaml =
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: "
                + name
                + "\n  namespace: "
                + ns
                + "\n  labels: {"
                + String.join(
                        ", ",
                        "app: " + pick(r, "a", "b"),
                        labels(
                            r,
                            "istio.io/use-waypoint",
                            new String[] {"wp0", "wp1", "none"},
                            "istio.io/dataplane-mode",
                            new String[] {"ambient", "none"}))
                    .replaceAll(", $", "")
                + "}\nspec:\n  nodeName: node1\n  serviceAccountName: sa"
                + r.nextInt(2)
                + "\n  containers: [{name: c, image: echo, ports: [{name: web, containerPort: "
                + pick(r, "8080", "9090")
                + "}]}]\n";
      }
      case 5 -> {
        String name = "ap" + r.nextInt(3);
        key = new ResourceKey(Kind.AUTHORIZATION_POLICY, ns, name);
        String target =
            r.nextInt(4) == 0
                ? "  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: wp0}]\n"
                : "";
        yaml =
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: "
                + name
                + "\n  namespace: "
                + ns
                + "\nspec:\n"
                + (r.nextBoolean() && target.isEmpty()
                    ? "  selector: {matchLabels: {app: " + pick(r, "a", "b") + "}}\n"
                    : "")
                + target
                + "  action: "
                + pick(r, "ALLOW", "DENY")
                + "\n  rules: [{from: [{source: {principals: [cluster.local/ns/ns0/sa/sa"
                + r.nextInt(2)
                + "]}}]}]\n";
      }
      case 6 -> {
        String name = "pa" + r.nextInt(3);
        key = new ResourceKey(Kind.PEER_AUTHENTICATION, ns, name);
        boolean selector = r.nextBoolean();
        yaml =
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: "
                + name
                + "\n  namespace: "
                + ns
                + "\nspec:\n"
                + (selector ? "  selector: {matchLabels: {app: " + pick(r, "a", "b") + "}}\n" : "")
                + (r.nextInt(4) == 0
                    ? "  mtls: {}\n"
                    : "  mtls: {mode: "
                        + pick(r, "STRICT", "PERMISSIVE", "DISABLE", "UNSET")
                        + "}\n")
                + (selector && r.nextBoolean()
                    ? "  portLevelMtls: {\"8080\": {mode: "
                        + pick(r, "STRICT", "PERMISSIVE", "UNSET")
                        + "}}\n"
                    : "");
      }
      default -> {
        // delete something that may exist
        Kind k =
            pick(
                r,
                Kind.POD,
                Kind.SERVICE,
                Kind.GATEWAY,
                Kind.NAMESPACE,
                Kind.PEER_AUTHENTICATION,
                Kind.AUTHORIZATION_POLICY);
        String name =
            switch (k) {
              case POD -> "pod" + r.nextInt(5);
              case SERVICE -> r.nextBoolean() ? "wp" + r.nextInt(2) : "svc" + r.nextInt(3);
              case GATEWAY -> "wp" + r.nextInt(2);
              case NAMESPACE -> ns;
              case PEER_AUTHENTICATION -> "pa" + r.nextInt(3);
              default -> "ap" + r.nextInt(3);
            };
        key = new ResourceKey(k, k == Kind.NAMESPACE ? null : ns, name);
        store.delete(key);
        return key;
      }
    }
    store.apply(ConfigReader.read("random.yaml", yaml));
    return key;
  }

  /** Zero, one or two of the given labels with random values. */
  private static String labels(Random r, String k1, String[] v1, String k2, String[] v2) {
    Map<String, String> out = new HashMap<>();
    if (r.nextBoolean()) {
      out.put(k1, pick(r, v1));
    }
    if (r.nextBoolean()) {
      out.put(k2, pick(r, v2));
    }
    return String.join(
        ", ", out.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... values) {
    return values[r.nextInt(values.length)];
  }
}
