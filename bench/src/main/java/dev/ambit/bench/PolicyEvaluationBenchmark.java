package dev.ambit.bench;

import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.StringMatch;
import dev.ambit.ztunnel.authz.ConnectionAttributes;
import dev.ambit.ztunnel.authz.Decision;
import dev.ambit.ztunnel.authz.PolicyIndex;
import dev.ambit.ztunnel.authz.PolicySet;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * L4 policy evaluation for one connection against a destination with many policies: {@code
 * policies} ALLOW policies of the destination's namespace, each allowing one client principal on
 * port 8080 and one DENY policy on port 22. {@code lastMatch} is the worst allowed case (the
 * connection matches only the last ALLOW), {@code noMatch} the worst case overall (nothing matches:
 * every policy is tried, then denied).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyEvaluationBenchmark {

  @Param({"10000"})
  public int policies;

  private PolicySet set;
  private ConnectionAttributes last;
  private ConnectionAttributes none;
  private ConnectionAttributes first;

  @Setup
  public void setUp() throws UnknownHostException {
    Map<String, Authorization> all = new HashMap<>();
    for (int i = 0; i < policies; i++) {
      Authorization p = allow(i);
      all.put(p.getNamespace() + "/" + p.getName(), p);
    }
    Authorization deny =
        Authorization.newBuilder()
            .setName("deny-ssh")
            .setNamespace("bench")
            .setScope(dev.ambit.proto.security.Scope.NAMESPACE)
            .setAction(Action.DENY)
            .addRules(
                Rule.newBuilder()
                    .addClauses(
                        Clause.newBuilder()
                            .addMatches(Match.newBuilder().addDestinationPorts(22).build())))
            .build();
    all.put("bench/deny-ssh", deny);
    set = new PolicyIndex(all, Map.of()).forWorkload("bench", List.of());
    if (set.size() != policies + 1) {
      throw new IllegalStateException(
          "expected " + (policies + 1) + " policies, got " + set.size());
    }
    InetAddress src = InetAddress.getByName("10.241.1.2");
    InetAddress dst = InetAddress.getByName("10.241.2.2");
    // The set keeps DENY first, then the ALLOWs in an order of its own: take the clients of the
    // first and the last ALLOW it will try.
    List<String> keys = set.keys();
    first = attributes(src, client(keys.get(1)), dst);
    last = attributes(src, client(keys.get(keys.size() - 1)), dst);
    none = attributes(src, "stranger", dst);
    check(last, true);
    check(first, true);
    check(none, false);
  }

  private static String client(String policyKey) {
    return "client-" + policyKey.substring(policyKey.indexOf("allow-") + "allow-".length());
  }

  private static ConnectionAttributes attributes(InetAddress src, String sa, InetAddress dst) {
    return ConnectionAttributes.of(src, "spiffe://cluster.local/ns/bench/sa/" + sa, dst, 8080);
  }

  private void check(ConnectionAttributes c, boolean allowed) {
    Decision d = set.evaluate(c);
    if (d.allowed() != allowed) {
      throw new IllegalStateException("unexpected decision for " + c.sourcePrincipal() + ": " + d);
    }
  }

  private static Authorization allow(int i) {
    Match match =
        Match.newBuilder()
            .addPrincipals(
                StringMatch.newBuilder().setExact("cluster.local/ns/bench/sa/client-" + i))
            .addDestinationPorts(8080)
            .build();
    return Authorization.newBuilder()
        .setName("allow-" + i)
        .setNamespace("bench")
        .setScope(dev.ambit.proto.security.Scope.NAMESPACE)
        .setAction(Action.ALLOW)
        .addRules(Rule.newBuilder().addClauses(Clause.newBuilder().addMatches(match)))
        .build();
  }

  @Benchmark
  public Decision firstMatch() {
    return set.evaluate(first);
  }

  @Benchmark
  public Decision lastMatch() {
    return set.evaluate(last);
  }

  @Benchmark
  public Decision noMatch() {
    return set.evaluate(none);
  }
}
