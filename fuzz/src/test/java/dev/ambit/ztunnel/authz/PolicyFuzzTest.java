package dev.ambit.ztunnel.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Address;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.StringMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Random L4 policies and a random connection: the indexed evaluation ({@link PolicySet}) gives the
 * decision of a plain reference evaluator written from the documented semantics (any matching DENY
 * denies; no ALLOW policy allows; a matching ALLOW allows; otherwise deny), and the policy it names
 * is one that matches with that action.
 */
class PolicyFuzzTest {

  private static final String[] NAMESPACES = {"a", "b", "ab", "ba", ""};
  private static final String[] ACCOUNTS = {"x", "y", "xy"};
  private static final int[] PORTS = {80, 81, 8080, 0, 65535};

  @FuzzTest(maxDuration = "60s")
  void indexedEvaluationAgreesWithTheReference(FuzzedDataProvider data) {
    List<Authorization> protos = new ArrayList<>();
    int count = data.consumeInt(0, 6);
    for (int i = 0; i < count; i++) {
      protos.add(policy(data, i));
    }
    byte[] src = ip(data);
    String principal = data.consumeBoolean() ? "" : principal(data);
    String ns = principal.isEmpty() ? "" : principal.split("/")[2];
    ConnectionAttributes c =
        new ConnectionAttributes(src, principal, ns, ip(data), data.pickValue(PORTS));

    List<CompiledPolicy> compiled = protos.stream().map(CompiledPolicy::new).toList();
    Decision d = new PolicySet(compiled).evaluate(c);

    boolean denied = protos.stream().anyMatch(p -> p.getAction() == Action.DENY && matches(p, c));
    boolean anyAllow = protos.stream().anyMatch(p -> p.getAction() == Action.ALLOW);
    boolean allowed = protos.stream().anyMatch(p -> p.getAction() == Action.ALLOW && matches(p, c));
    boolean expected = !denied && (!anyAllow || allowed);
    assertThat(d.allowed()).as("decision %s for %s", d, protos).isEqualTo(expected);
    if (d.policy() != null) {
      Authorization named =
          protos.stream().filter(p -> CompiledPolicy.key(p).equals(d.policy())).findFirst().get();
      assertThat(named.getAction() == Action.DENY).isEqualTo(!d.allowed());
      assertThat(matches(named, c)).as("named policy %s matches", d.policy()).isTrue();
    } else {
      assertThat(d.allowed()).isEqualTo(!anyAllow);
    }
  }

  private static Authorization policy(FuzzedDataProvider data, int i) {
    Authorization.Builder p =
        Authorization.newBuilder()
            .setName("p" + i)
            .setNamespace("ns")
            .setAction(data.consumeBoolean() ? Action.DENY : Action.ALLOW);
    int rules = data.consumeInt(0, 3);
    for (int r = 0; r < rules; r++) {
      Rule.Builder rule = Rule.newBuilder();
      int clauses = data.consumeInt(0, 3);
      for (int k = 0; k < clauses; k++) {
        Clause.Builder clause = Clause.newBuilder();
        int matches = data.consumeInt(0, 3);
        for (int m = 0; m < matches; m++) {
          clause.addMatches(match(data));
        }
        rule.addClauses(clause);
      }
      p.addRules(rule);
    }
    return p.build();
  }

  private static Match match(FuzzedDataProvider data) {
    Match.Builder m = Match.newBuilder();
    int fields = data.consumeInt(0, 4);
    for (int f = 0; f < fields; f++) {
      switch (data.consumeInt(0, 9)) {
        case 0 -> m.addNamespaces(string(data, data.pickValue(NAMESPACES)));
        case 1 -> m.addNotNamespaces(string(data, data.pickValue(NAMESPACES)));
        case 2 -> m.addPrincipals(string(data, principal(data)));
        case 3 -> m.addNotPrincipals(string(data, principal(data)));
        case 4 -> m.addSourceIps(cidr(data));
        case 5 -> m.addNotSourceIps(cidr(data));
        case 6 -> m.addDestinationIps(cidr(data));
        case 7 -> m.addNotDestinationIps(cidr(data));
        case 8 -> m.addDestinationPorts(data.pickValue(PORTS));
        default -> m.addNotDestinationPorts(data.pickValue(PORTS));
      }
    }
    return m.build();
  }

  private static String principal(FuzzedDataProvider data) {
    String ns = data.pickValue(NAMESPACES);
    return "cluster.local/ns/" + (ns.isEmpty() ? "a" : ns) + "/sa/" + data.pickValue(ACCOUNTS);
  }

  /** Exact, prefix or suffix of {@code value} (a random cut), or presence. */
  private static StringMatch string(FuzzedDataProvider data, String value) {
    int cut = data.consumeInt(0, value.length());
    return switch (data.consumeInt(0, 4)) {
      case 0 -> StringMatch.newBuilder().setExact(value).build();
      case 1 -> StringMatch.newBuilder().setExact("spiffe://" + value).build();
      case 2 -> StringMatch.newBuilder().setPrefix(value.substring(0, cut)).build();
      case 3 -> StringMatch.newBuilder().setSuffix(value.substring(cut)).build();
      default -> StringMatch.newBuilder().setPresence(Empty.getDefaultInstance()).build();
    };
  }

  private static Address cidr(FuzzedDataProvider data) {
    byte[] ip = ip(data);
    return Address.newBuilder()
        .setAddress(ByteString.copyFrom(ip))
        .setLength(data.consumeInt(0, ip.length * 8))
        .build();
  }

  /** 10.0.0.0/30 and 10.0.1.0/30 (so prefixes overlap), or one of two IPv6 addresses. */
  private static byte[] ip(FuzzedDataProvider data) {
    if (data.consumeInt(0, 7) == 0) {
      byte[] v6 = new byte[16];
      v6[0] = (byte) 0xfd;
      v6[15] = (byte) data.consumeInt(0, 1);
      return v6;
    }
    return new byte[] {10, 0, (byte) data.consumeInt(0, 1), (byte) data.consumeInt(0, 3)};
  }

  // The reference: the semantics of docs/architecture and the proto, evaluated naively.

  static boolean matches(Authorization p, ConnectionAttributes c) {
    return p.getRulesList().stream()
        .anyMatch(
            r ->
                r.getClausesList().stream()
                    .allMatch(cl -> cl.getMatchesList().stream().anyMatch(m -> matches(m, c))));
  }

  private static boolean matches(Match m, ConnectionAttributes c) {
    return strings(m.getNamespacesList(), m.getNotNamespacesList(), c.sourceNamespace(), false)
        && strings(m.getPrincipalsList(), m.getNotPrincipalsList(), c.sourcePrincipal(), true)
        && ips(m.getSourceIpsList(), m.getNotSourceIpsList(), c.sourceIp())
        && ips(m.getDestinationIpsList(), m.getNotDestinationIpsList(), c.destinationIp())
        && (m.getDestinationPortsList().isEmpty()
            || m.getDestinationPortsList().contains(c.destinationPort()))
        && !m.getNotDestinationPortsList().contains(c.destinationPort());
  }

  private static boolean strings(
      List<StringMatch> yes, List<StringMatch> no, String value, boolean principal) {
    if (!yes.isEmpty()
        && (value.isEmpty() || yes.stream().noneMatch(s -> is(s, value, principal)))) {
      return false;
    }
    return no.stream().noneMatch(s -> is(s, value, principal));
  }

  /** Principals may be written with or without {@code spiffe://}; they compare without it. */
  private static boolean is(StringMatch s, String value, boolean principal) {
    return switch (s.getMatchTypeCase()) {
      case EXACT -> unscheme(s.getExact(), principal).equals(value);
      case PREFIX -> value.startsWith(unscheme(s.getPrefix(), principal));
      case SUFFIX -> value.endsWith(s.getSuffix());
      case PRESENCE -> !value.isEmpty();
      case MATCHTYPE_NOT_SET -> false;
    };
  }

  private static String unscheme(String pattern, boolean principal) {
    return principal && pattern.startsWith("spiffe://") ? pattern.substring(9) : pattern;
  }

  private static boolean ips(List<Address> yes, List<Address> no, byte[] ip) {
    if (!yes.isEmpty() && yes.stream().noneMatch(a -> contains(a, ip))) {
      return false;
    }
    return no.stream().noneMatch(a -> contains(a, ip));
  }

  private static boolean contains(Address a, byte[] ip) {
    byte[] net = a.getAddress().toByteArray();
    if (net.length != ip.length) {
      return false;
    }
    for (int bit = 0; bit < a.getLength(); bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((net[bit / 8] & mask) != (ip[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }
}
