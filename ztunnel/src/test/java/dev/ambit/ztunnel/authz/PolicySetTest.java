package dev.ambit.ztunnel.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Address;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicySetTest {

  static final String FRONT = "spiffe://cluster.local/ns/front/sa/web";
  static final String BACK = "spiffe://cluster.local/ns/back/sa/api";

  static ConnectionAttributes conn(String src, String id, String dst, int port) throws Exception {
    return ConnectionAttributes.of(
        InetAddress.getByName(src), id, InetAddress.getByName(dst), port);
  }

  static Authorization policy(String name, Action action, Match... matches) {
    return Authorization.newBuilder()
        .setName(name)
        .setNamespace("back")
        .setScope(Scope.NAMESPACE)
        .setAction(action)
        .addRules(
            Rule.newBuilder().addClauses(Clause.newBuilder().addAllMatches(Arrays.asList(matches))))
        .build();
  }

  static StringMatch exact(String s) {
    return StringMatch.newBuilder().setExact(s).build();
  }

  static StringMatch prefix(String s) {
    return StringMatch.newBuilder().setPrefix(s).build();
  }

  static StringMatch suffix(String s) {
    return StringMatch.newBuilder().setSuffix(s).build();
  }

  static StringMatch presence() {
    return StringMatch.newBuilder().setPresence(Empty.getDefaultInstance()).build();
  }

  static Address cidr(String ip, int len) throws Exception {
    return Address.newBuilder()
        .setAddress(ByteString.copyFrom(InetAddress.getByName(ip).getAddress()))
        .setLength(len)
        .build();
  }

  static PolicySet set(Authorization... policies) {
    return new PolicySet(Arrays.stream(policies).map(CompiledPolicy::new).toList());
  }

  @Test
  void noPolicyAllows() throws Exception {
    Decision d = PolicySet.EMPTY.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80));
    assertThat(d.allowed()).isTrue();
    assertThat(d.reason()).isEqualTo("no ALLOW policy applies");
  }

  @Test
  void matchingAllowAllowsAndNonMatchingAllowDenies() throws Exception {
    PolicySet s =
        set(
            policy(
                "allow-front",
                Action.ALLOW,
                Match.newBuilder().addNamespaces(exact("front")).build()));
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).policy())
        .isEqualTo("back/allow-front");
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed()).isTrue();
    Decision other = s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 80));
    assertThat(other.allowed()).isFalse();
    assertThat(other.reason()).isEqualTo("no ALLOW policy matched");
  }

  @Test
  void denyWinsOverAllow() throws Exception {
    PolicySet s =
        set(
            policy("allow-all", Action.ALLOW, Match.getDefaultInstance()),
            policy(
                "deny-front",
                Action.DENY,
                Match.newBuilder().addNamespaces(exact("front")).build()));
    Decision d = s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80));
    assertThat(d.allowed()).isFalse();
    assertThat(d.policy()).isEqualTo("back/deny-front");
    assertThat(s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 80)).allowed()).isTrue();
  }

  @Test
  void denyOnlyAllowsTheRest() throws Exception {
    PolicySet s =
        set(policy("deny-9090", Action.DENY, Match.newBuilder().addDestinationPorts(9090).build()));
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 9090)).allowed()).isFalse();
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 8080)).allowed()).isTrue();
  }

  @Test
  void allowWithoutRulesAllowsNothing() throws Exception {
    Authorization nothing =
        Authorization.newBuilder()
            .setName("allow-nothing")
            .setNamespace("back")
            .setAction(Action.ALLOW)
            .build();
    assertThat(set(nothing).evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed()).isFalse();
  }

  @Test
  void principalsMatchExactPrefixSuffixAndPresence() throws Exception {
    assertAllowedOnlyFor(
        Match.newBuilder().addPrincipals(exact("cluster.local/ns/front/sa/web")).build(),
        FRONT,
        BACK);
    assertAllowedOnlyFor(Match.newBuilder().addPrincipals(exact(FRONT)).build(), FRONT, BACK);
    assertAllowedOnlyFor(
        Match.newBuilder().addPrincipals(prefix("cluster.local/ns/front/")).build(), FRONT, BACK);
    assertAllowedOnlyFor(Match.newBuilder().addPrincipals(suffix("/sa/api")).build(), BACK, FRONT);
    PolicySet anyAuthenticated =
        set(policy("p", Action.ALLOW, Match.newBuilder().addPrincipals(presence()).build()));
    assertThat(anyAuthenticated.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed())
        .isTrue();
    assertThat(anyAuthenticated.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed())
        .isFalse();
  }

  @Test
  void notPrincipalsExclude() throws Exception {
    PolicySet s =
        set(
            policy(
                "p",
                Action.ALLOW,
                Match.newBuilder()
                    .addNotPrincipals(exact("cluster.local/ns/front/sa/web"))
                    .build()));
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed()).isFalse();
    assertThat(s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 80)).allowed()).isTrue();
    PolicySet onlyPlaintext =
        set(policy("p", Action.ALLOW, Match.newBuilder().addNotPrincipals(presence()).build()));
    assertThat(onlyPlaintext.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(onlyPlaintext.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 80)).allowed()).isFalse();
  }

  @Test
  void namespacesAndNotNamespaces() throws Exception {
    assertAllowedOnlyFor(Match.newBuilder().addNamespaces(prefix("fr")).build(), FRONT, BACK);
    assertAllowedOnlyFor(Match.newBuilder().addNotNamespaces(exact("front")).build(), BACK, FRONT);
    PolicySet s =
        set(policy("p", Action.ALLOW, Match.newBuilder().addNamespaces(exact("front")).build()));
    assertThat(s.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed())
        .as("a plaintext peer has no namespace")
        .isFalse();
  }

  @Test
  void sourceIpBlocks() throws Exception {
    PolicySet s =
        set(
            policy(
                "p",
                Action.ALLOW,
                Match.newBuilder().addSourceIps(cidr("10.241.1.0", 24)).build()));
    assertThat(s.evaluate(conn("10.241.1.7", FRONT, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(s.evaluate(conn("10.241.2.7", FRONT, "10.0.0.2", 80)).allowed()).isFalse();
    assertThat(s.evaluate(conn("fd00::1", FRONT, "10.0.0.2", 80)).allowed()).isFalse();
    PolicySet odd =
        set(
            policy(
                "p", Action.ALLOW, Match.newBuilder().addSourceIps(cidr("10.1.0.0", 15)).build()));
    assertThat(odd.evaluate(conn("10.1.255.1", FRONT, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(odd.evaluate(conn("10.0.255.1", FRONT, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(odd.evaluate(conn("10.2.0.1", FRONT, "10.0.0.2", 80)).allowed()).isFalse();
    PolicySet not =
        set(
            policy(
                "p",
                Action.DENY,
                Match.newBuilder().addNotSourceIps(cidr("10.241.1.0", 24)).build()));
    assertThat(not.evaluate(conn("10.241.1.7", FRONT, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(not.evaluate(conn("10.9.1.7", FRONT, "10.0.0.2", 80)).allowed()).isFalse();
  }

  @Test
  void destinationIpBlocksIncludingIpv6AndHostRoutes() throws Exception {
    PolicySet s =
        set(
            policy(
                "p",
                Action.DENY,
                Match.newBuilder()
                    .addDestinationIps(cidr("fd00::", 64))
                    .addDestinationIps(cidr("10.0.0.9", 32))
                    .build()));
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "fd00::5", 80)).allowed()).isFalse();
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "fd01::5", 80)).allowed()).isTrue();
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.9", 80)).allowed()).isFalse();
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.8", 80)).allowed()).isTrue();
    PolicySet not =
        set(
            policy(
                "p",
                Action.ALLOW,
                Match.newBuilder().addNotDestinationIps(cidr("10.0.0.0", 8)).build()));
    assertThat(not.evaluate(conn("10.0.0.1", FRONT, "10.3.0.8", 80)).allowed()).isFalse();
    assertThat(not.evaluate(conn("10.0.0.1", FRONT, "192.168.0.8", 80)).allowed()).isTrue();
  }

  @Test
  void portsAndNotPorts() throws Exception {
    PolicySet s =
        set(
            policy(
                "p",
                Action.ALLOW,
                Match.newBuilder().addDestinationPorts(80).addDestinationPorts(443).build()));
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 443)).allowed()).isTrue();
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 8080)).allowed()).isFalse();
    PolicySet not =
        set(policy("p", Action.ALLOW, Match.newBuilder().addNotDestinationPorts(22).build()));
    assertThat(not.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 22)).allowed()).isFalse();
    assertThat(not.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed()).isTrue();
  }

  @Test
  void fieldsOfAMatchAreAndedAndValuesOred() throws Exception {
    PolicySet s =
        set(
            policy(
                "p",
                Action.ALLOW,
                Match.newBuilder()
                    .addNamespaces(exact("front"))
                    .addNamespaces(exact("ops"))
                    .addDestinationPorts(80)
                    .build()));
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(
            s.evaluate(conn("10.0.0.1", "spiffe://cluster.local/ns/ops/sa/x", "10.0.0.2", 80))
                .allowed())
        .isTrue();
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 81)).allowed()).isFalse();
  }

  @Test
  void clausesAreAndedMatchesOredRulesOred() throws Exception {
    Match fromFront = Match.newBuilder().addNamespaces(exact("front")).build();
    Match fromOps = Match.newBuilder().addNamespaces(exact("ops")).build();
    Match port80 = Match.newBuilder().addDestinationPorts(80).build();
    Match port9000 = Match.newBuilder().addDestinationPorts(9000).build();
    Authorization p =
        Authorization.newBuilder()
            .setName("p")
            .setNamespace("back")
            .setAction(Action.ALLOW)
            .addRules(
                Rule.newBuilder()
                    .addClauses(Clause.newBuilder().addMatches(fromFront).addMatches(fromOps))
                    .addClauses(Clause.newBuilder().addMatches(port80)))
            .addRules(Rule.newBuilder().addClauses(Clause.newBuilder().addMatches(port9000)))
            .build();
    PolicySet s = set(p);
    String ops = "spiffe://cluster.local/ns/ops/sa/x";
    assertThat(s.evaluate(conn("10.0.0.1", ops, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(s.evaluate(conn("10.0.0.1", ops, "10.0.0.2", 81)).allowed())
        .as("second clause fails")
        .isFalse();
    assertThat(s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 80)).allowed())
        .as("first clause fails")
        .isFalse();
    assertThat(s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 9000)).allowed())
        .as("second rule")
        .isTrue();
  }

  @Test
  void emptyRuleMatchesEverything() throws Exception {
    Authorization all =
        Authorization.newBuilder()
            .setName("p")
            .setNamespace("back")
            .setAction(Action.DENY)
            .addRules(Rule.getDefaultInstance())
            .build();
    assertThat(set(all).evaluate(conn("10.0.0.1", null, "10.0.0.2", 1)).allowed()).isFalse();
  }

  @Test
  void principalIndexedPoliciesMixWithOthersAndKeepSemantics() throws Exception {
    Match onlyWeb =
        Match.newBuilder().addPrincipals(exact("cluster.local/ns/front/sa/web")).build();
    Match onlyApi =
        Match.newBuilder()
            .addPrincipals(exact("spiffe://cluster.local/ns/back/sa/api"))
            .addDestinationPorts(9090)
            .build();
    PolicySet s =
        set(
            policy("allow-web", Action.ALLOW, onlyWeb),
            policy("allow-api-9090", Action.ALLOW, onlyApi),
            policy(
                "deny-api-to-81",
                Action.DENY,
                Match.newBuilder()
                    .addPrincipals(exact("cluster.local/ns/back/sa/api"))
                    .addDestinationPorts(81)
                    .build()),
            policy(
                "deny-port-22", Action.DENY, Match.newBuilder().addDestinationPorts(22).build()));
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).policy())
        .isEqualTo("back/allow-web");
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 22)).policy())
        .isEqualTo("back/deny-port-22");
    assertThat(s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 9090)).policy())
        .isEqualTo("back/allow-api-9090");
    assertThat(s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 80)).allowed()).isFalse();
    assertThat(s.evaluate(conn("10.0.0.1", BACK, "10.0.0.2", 81)).policy())
        .isEqualTo("back/deny-api-to-81");
    assertThat(s.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed())
        .as("indexed ALLOW policies still count as ALLOW policies for plaintext peers")
        .isFalse();
    assertThat(s.keys())
        .containsExactly(
            "back/deny-api-to-81", "back/deny-port-22", "back/allow-web", "back/allow-api-9090");
  }

  /**
   * The index (by principal, namespace, source block, port, or none) never changes a decision:
   * random policy sets give, for random connections, what trying every policy gives.
   */
  @Test
  void indexedEvaluationAgreesWithTryingEveryPolicy() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      List<CompiledPolicy> policies = new ArrayList<>();
      int n = 1 + random.nextInt(12);
      for (int i = 0; i < n; i++) {
        policies.add(new CompiledPolicy(randomPolicy(random, "p" + i)));
      }
      PolicySet s = new PolicySet(policies);
      for (int k = 0; k < 50; k++) {
        ConnectionAttributes c = randomConnection(random);
        Decision d = s.evaluate(c);
        assertThat(d.allowed())
            .as("round %d, %s for %s", round, policies.stream().map(p -> p.proto()).toList(), c)
            .isEqualTo(bruteForce(policies, c));
        if (d.policy() != null) {
          CompiledPolicy decider =
              policies.stream().filter(p -> p.key().equals(d.policy())).findFirst().orElseThrow();
          assertThat(decider.matches(c)).isTrue();
          assertThat(decider.deny()).isEqualTo(!d.allowed());
        }
      }
    }
  }

  private static boolean bruteForce(List<CompiledPolicy> policies, ConnectionAttributes c) {
    if (policies.stream().anyMatch(p -> p.deny() && p.matches(c))) {
      return false;
    }
    return policies.stream().noneMatch(p -> !p.deny())
        || policies.stream().anyMatch(p -> !p.deny() && p.matches(c));
  }

  private static final String[] NAMESPACES = {"front", "back", "ops"};
  private static final String[] ACCOUNTS = {"web", "api", "db"};
  private static final int[] PORTS = {22, 80, 8080};
  private static final String[] BLOCKS = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32", "0.0.0.0/0"};
  private static final String[] SOURCES = {"10.1.2.3", "10.1.9.9", "10.7.0.1", "192.168.0.1"};

  private static Authorization randomPolicy(Random r, String name) throws Exception {
    Authorization.Builder p =
        Authorization.newBuilder()
            .setName(name)
            .setNamespace("back")
            .setAction(r.nextBoolean() ? Action.ALLOW : Action.DENY);
    int rules = r.nextInt(3);
    for (int i = 0; i < rules; i++) {
      Rule.Builder rule = Rule.newBuilder();
      int clauses = r.nextInt(3);
      for (int j = 0; j < clauses; j++) {
        Clause.Builder clause = Clause.newBuilder();
        int matches = 1 + r.nextInt(2);
        for (int k = 0; k < matches; k++) {
          clause.addMatches(randomMatch(r));
        }
        rule.addClauses(clause);
      }
      p.addRules(rule);
    }
    return p.build();
  }

  private static Match randomMatch(Random r) throws Exception {
    Match.Builder m = Match.newBuilder();
    switch (r.nextInt(6)) {
      case 0 -> {}
      case 1 -> m.addPrincipals(exact(principal(r)));
      case 2 -> m.addNamespaces(exact(pick(r, NAMESPACES)));
      default -> {}
    }
    if (r.nextInt(3) == 0) {
      m.addPrincipals(exact(principal(r)));
    }
    if (r.nextInt(4) == 0) {
      m.addPrincipals(prefix("cluster.local/ns/" + pick(r, NAMESPACES)));
    }
    if (r.nextInt(3) == 0) {
      m.addNamespaces(exact(pick(r, NAMESPACES)));
    }
    if (r.nextInt(6) == 0) {
      m.addNotNamespaces(exact(pick(r, NAMESPACES)));
    }
    if (r.nextInt(3) == 0) {
      String[] block = pick(r, BLOCKS).split("/");
      m.addSourceIps(cidr(block[0], Integer.parseInt(block[1])));
    }
    if (r.nextInt(6) == 0) {
      String[] block = pick(r, BLOCKS).split("/");
      m.addNotSourceIps(cidr(block[0], Integer.parseInt(block[1])));
    }
    if (r.nextInt(3) == 0) {
      m.addDestinationPorts(PORTS[r.nextInt(PORTS.length)]);
    }
    if (r.nextInt(6) == 0) {
      m.addNotDestinationPorts(PORTS[r.nextInt(PORTS.length)]);
    }
    return m.build();
  }

  private static ConnectionAttributes randomConnection(Random r) throws Exception {
    String id = r.nextInt(5) == 0 ? null : "spiffe://" + principal(r);
    return conn(pick(r, SOURCES), id, "10.0.0.2", PORTS[r.nextInt(PORTS.length)]);
  }

  private static String principal(Random r) {
    return "cluster.local/ns/" + pick(r, NAMESPACES) + "/sa/" + pick(r, ACCOUNTS);
  }

  private static String pick(Random r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  @Test
  void policiesIndexedByNamespaceSourceBlockAndPortKeepSemantics() throws Exception {
    PolicySet s =
        set(
            policy(
                "allow-front",
                Action.ALLOW,
                Match.newBuilder().addNamespaces(exact("front")).build()),
            policy(
                "allow-ops-net",
                Action.ALLOW,
                Match.newBuilder().addSourceIps(cidr("10.9.0.0", 16)).build()),
            policy(
                "deny-host",
                Action.DENY,
                Match.newBuilder().addSourceIps(cidr("10.9.1.1", 32)).build()),
            policy(
                "allow-health",
                Action.ALLOW,
                Match.newBuilder().addDestinationPorts(15021).build()));
    assertThat(s.evaluate(conn("10.1.0.1", FRONT, "10.0.0.2", 80)).policy())
        .isEqualTo("back/allow-front");
    assertThat(s.evaluate(conn("10.9.7.7", BACK, "10.0.0.2", 80)).policy())
        .isEqualTo("back/allow-ops-net");
    assertThat(s.evaluate(conn("10.9.1.1", FRONT, "10.0.0.2", 80)).policy())
        .isEqualTo("back/deny-host");
    assertThat(s.evaluate(conn("10.1.0.1", null, "10.0.0.2", 15021)).policy())
        .isEqualTo("back/allow-health");
    assertThat(s.evaluate(conn("10.1.0.1", BACK, "10.0.0.2", 80)).allowed()).isFalse();
    assertThat(s.evaluate(conn("::1", BACK, "10.0.0.2", 80)).allowed()).isFalse();
  }

  /**
   * PeerAuthentication as the control plane translates it: STRICT is a DENY of peers without a
   * principal; port-level STRICT adds the ports, a STRICT workload with PERMISSIVE ports excludes
   * them.
   */
  @Test
  void strictPeerAuthenticationDeniesOnlyPeersWithoutAPrincipal() throws Exception {
    Match noPrincipal = Match.newBuilder().addNotPrincipals(presence()).build();
    PolicySet strict = set(policy("strict", Action.DENY, noPrincipal));
    assertThat(strict.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed()).isFalse();
    assertThat(strict.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed()).isTrue();

    Authorization strictPort =
        Authorization.newBuilder()
            .setName("strict-9090")
            .setNamespace("back")
            .setAction(Action.DENY)
            .addRules(
                Rule.newBuilder()
                    .addClauses(Clause.newBuilder().addMatches(noPrincipal))
                    .addClauses(
                        Clause.newBuilder()
                            .addMatches(Match.newBuilder().addDestinationPorts(9090))))
            .build();
    PolicySet portLevel = set(strictPort);
    assertThat(portLevel.evaluate(conn("10.0.0.1", null, "10.0.0.2", 9090)).allowed()).isFalse();
    assertThat(portLevel.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(portLevel.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 9090)).allowed()).isTrue();

    Authorization permissivePort =
        strictPort.toBuilder()
            .setName("strict-but-8080")
            .setRules(
                0,
                Rule.newBuilder()
                    .addClauses(Clause.newBuilder().addMatches(noPrincipal))
                    .addClauses(
                        Clause.newBuilder()
                            .addMatches(Match.newBuilder().addNotDestinationPorts(8080))))
            .build();
    PolicySet relaxed = set(permissivePort);
    assertThat(relaxed.evaluate(conn("10.0.0.1", null, "10.0.0.2", 8080)).allowed()).isTrue();
    assertThat(relaxed.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed()).isFalse();
  }

  @Test
  void principalsIgnorePlaintextPeers() throws Exception {
    PolicySet s =
        set(policy("p", Action.DENY, Match.newBuilder().addPrincipals(prefix("")).build()));
    assertThat(s.evaluate(conn("10.0.0.1", null, "10.0.0.2", 80)).allowed()).isTrue();
    assertThat(s.evaluate(conn("10.0.0.1", FRONT, "10.0.0.2", 80)).allowed()).isFalse();
  }

  private static void assertAllowedOnlyFor(Match match, String allowed, String denied)
      throws Exception {
    PolicySet s = set(policy("p", Action.ALLOW, match));
    assertThat(s.evaluate(conn("10.0.0.1", allowed, "10.0.0.2", 80)).allowed())
        .as(match + " allows " + allowed)
        .isTrue();
    assertThat(s.evaluate(conn("10.0.0.1", denied, "10.0.0.2", 80)).allowed())
        .as(match + " denies " + denied)
        .isFalse();
    assertThat(s.keys()).containsExactly("back/p");
  }
}
